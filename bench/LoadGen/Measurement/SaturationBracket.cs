namespace ActorQuotes.Bench.LoadGen.Measurement;

/// <summary>
/// Where a server's saturation lies, from the windows measured so far: the highest rate that passed and
/// the lowest rate above it that failed. The ramp multiplies the rate by a fixed factor (1.6), so on its
/// own it only says "between 550 and 880 ticks/s"; <see cref="Next"/> halves that bracket (geometrically)
/// until it is narrower than the resolution asked for. A pass above a failed rate (the machine is shared,
/// so windows are noisy) moves the bracket up: only failures above the highest pass bound it.
/// </summary>
public sealed class SaturationBracket
{
    private readonly List<(double Rate, bool Passed)> _windows = [];

    /// <summary>The highest rate that passed, or null.</summary>
    public double? Pass => _windows.Where(w => w.Passed).Select(w => (double?)w.Rate).Max();

    /// <summary>The lowest rate above <see cref="Pass"/> that failed, or null (none failed above it yet).</summary>
    public double? Fail
    {
        get
        {
            var pass = Pass;
            return pass is null
                ? null
                : _windows.Where(w => !w.Passed && w.Rate > pass).Select(w => (double?)w.Rate).Min();
        }
    }

    public void Record(double rate, bool passed) => _windows.Add((rate, passed));

    /// <summary>
    /// The next rate to try: the geometric middle of the bracket, or null when there is no bracket (nothing
    /// passed, or nothing failed above the highest pass) or it is already within <paramref name="resolution"/>
    /// (1.05: the failing rate is at most 5 % above the passing one).
    /// </summary>
    public double? Next(double resolution)
    {
        if (Pass is not { } pass || Fail is not { } fail || fail / pass <= resolution)
        {
            return null;
        }

        return Math.Sqrt(pass * fail);
    }
}
