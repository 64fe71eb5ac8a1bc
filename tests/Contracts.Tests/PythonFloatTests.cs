using ActorQuotes.Contracts.Frames;

namespace ActorQuotes.Contracts.Tests;

public sealed class PythonFloatTests
{
    [Theory(DisplayName = "Doubles are written as Python's repr writes them")]
    [InlineData(2650.0, "2650.0")]
    [InlineData(50.0, "50.0")]
    [InlineData(1.92, "1.92")]
    [InlineData(0.0, "0.0")]
    [InlineData(-12.5, "-12.5")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1234567890123456.8, "1234567890123456.8")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.2345e18, "1.2345e+18")]
    [InlineData(-1e-300, "-1e-300")]
    public void Formats_like_python(double value, string expected) =>
        Assert.Equal(expected, PythonFloat.ToString(value));

    [Fact(DisplayName = "Negative zero is written as 0.0")]
    public void Negative_zero() => Assert.Equal("0.0", PythonFloat.ToString(-0.0));

    [Fact(DisplayName = "NaN and Infinity are refused: JSON has no such numbers")]
    public void Refuses_non_finite()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonFloat.ToString(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonFloat.ToString(double.PositiveInfinity));
    }
}
