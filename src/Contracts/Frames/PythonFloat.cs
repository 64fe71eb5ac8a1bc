using System.Globalization;
using System.Text;

namespace ActorQuotes.Contracts.Frames;

/// <summary>
/// Formats a double the way the prototype's Python did (<c>repr(float)</c>): the shortest text that
/// round-trips, with <c>.0</c> on whole numbers, so frames stay byte-compatible (<c>2650.0</c>, not <c>2650</c>).
/// Python switches to exponent form below 1e-4 and from 1e16; .NET's "R" does so from 1e15, which the
/// rare branch below corrects.
/// </summary>
public static class PythonFloat
{
    /// <summary>Longest text this produces ("-1.2345678901234567e-308" or a 17-digit positional form).</summary>
    public const int MaxLength = 40;

    public static int Format(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or Infinity.");
        }

        if (value == 0)
        {
            value = 0; // folds -0.0 into 0.0
        }

        var abs = Math.Abs(value);
        value.TryFormat(destination, out var written, "R", CultureInfo.InvariantCulture);
        var text = destination[..written];
        if (text.IndexOf((byte)'E') >= 0 || (abs != 0 && (abs < 1e-4 || abs >= 1e16)))
        {
            return Normalize(Encoding.ASCII.GetString(text), destination);
        }

        if (text.IndexOf((byte)'.') < 0)
        {
            destination[written++] = (byte)'.';
            destination[written++] = (byte)'0';
        }

        return written;
    }

    public static string ToString(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        var n = Format(value, buffer);
        return Encoding.ASCII.GetString(buffer[..n]);
    }

    /// <summary>The rare path: re-lays .NET's shortest digits out by Python's rule (exponent form below 1e-4 and from 1e16).</summary>
    private static int Normalize(string r, Span<byte> destination)
    {
        var negative = r[0] == '-';
        var body = negative ? r[1..] : r;
        var e = body.IndexOf('E', StringComparison.Ordinal);
        var exponentPart = e >= 0 ? int.Parse(body.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var mantissa = e >= 0 ? body[..e] : body;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intDigits = point >= 0 ? point : mantissa.Length;
        var digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);

        // Strip leading zeros ("0.00001" → "1"), moving the decimal exponent with them.
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // value = 0.d1d2d3... × 10^(pointAt)
        var pointAt = intDigits - leading + exponentPart;
        var exponent = pointAt - 1; // scientific exponent: d1.d2d3 × 10^exponent
        string result;
        if (exponent >= -4 && exponent < 16)
        {
            if (pointAt <= 0)
            {
                result = "0." + new string('0', -pointAt) + digits;
            }
            else if (pointAt >= digits.Length)
            {
                result = digits + new string('0', pointAt - digits.Length) + ".0";
            }
            else
            {
                result = digits[..pointAt] + "." + digits[pointAt..];
            }
        }
        else
        {
            var m = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
            result = m + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }

        return Encoding.ASCII.GetBytes(negative ? "-" + result : result, destination);
    }
}
