using System.Text;

namespace ActorQuotes.Actors.Catalog;

/// <summary>One CSV record: the line it starts on, its fields, and what is wrong with it, if anything.</summary>
internal readonly record struct CsvRecord(int Line, IReadOnlyList<string> Fields, string? Error);

/// <summary>
/// Splits RFC 4180 text into records, counting physical lines so a record knows where it starts. A record that
/// breaks the format still comes out, with its <see cref="CsvRecord.Error"/>, and reading goes on after it.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private const int None = -2;

    private int _line = 1;

    // Our own one-character look-ahead: StreamReader.Peek can answer -1 before the end of a pipe or socket.
    private int _next = None;

    public bool TryRead(out CsvRecord record)
    {
        record = default;
        if (Peek() < 0)
        {
            return false;
        }

        var start = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        string? error = null;
        while (true)
        {
            // At the start of a field.
            if (Peek() == '"')
            {
                Read();
                if (!ReadQuoted(field))
                {
                    fields.Add(field.ToString());
                    error = "a quoted field is not closed before the end of the file";
                    break;
                }

                if (Peek() is not (',' or '\r' or '\n' or -1))
                {
                    SkipRestOfLine();
                    error = "text after a closing quote; a field with a quote in it must be quoted whole, with the quote doubled";
                    break;
                }
            }
            else
            {
                while (Peek() is not (',' or '\r' or '\n' or -1))
                {
                    var c = (char)Read();
                    if (c == '"')
                    {
                        error ??= "a quote inside an unquoted field; quote the whole field and double the quote";
                    }

                    field.Append(c);
                }
            }

            fields.Add(field.ToString());
            field.Clear();
            if (Peek() != ',')
            {
                ReadLineBreak();
                break;
            }

            Read();
        }

        record = new CsvRecord(start, fields, error);
        return true;
    }

    /// <summary>Reads up to and including the closing quote; false at the end of the text without one.</summary>
    private bool ReadQuoted(StringBuilder field)
    {
        while (true)
        {
            var c = Read();
            switch (c)
            {
                case -1:
                    return false;
                case '"' when Peek() == '"':
                    Read();
                    field.Append('"');
                    break;
                case '"':
                    return true;
                case '\r' or '\n':
                    // A line break inside quotes belongs to the field, but still starts a new line of the file.
                    field.Append((char)c);
                    if (c == '\r' && Peek() == '\n')
                    {
                        field.Append((char)Read());
                    }

                    _line++;
                    break;
                default:
                    field.Append((char)c);
                    break;
            }
        }
    }

    private void SkipRestOfLine()
    {
        while (Peek() is not ('\r' or '\n' or -1))
        {
            Read();
        }

        ReadLineBreak();
    }

    /// <summary>Consumes one line break (CR LF, LF or CR) if there is one here; the end of the text has none.</summary>
    private void ReadLineBreak()
    {
        var c = Read();
        if (c == '\r' && Peek() == '\n')
        {
            Read();
        }

        if (c is '\r' or '\n')
        {
            _line++;
        }
    }

    private int Peek()
    {
        if (_next == None)
        {
            _next = reader.Read();
        }

        return _next;
    }

    private int Read()
    {
        var c = Peek();
        _next = None;
        return c;
    }
}
