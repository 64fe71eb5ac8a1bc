namespace ActorQuotes.Contracts.Frames;

/// <summary>
/// The prototype's arithmetic, in one place for quotes, frames and REST: change against the previous
/// close, change % rounded to two places (half away from zero), and money rounded to 6 places so binary
/// noise (0.1 + 0.2) never reaches a client.
/// </summary>
public static class PriceMath
{
    public static double Change(double price, double previousClose) => Clean(price - previousClose);

    public static double ChangePercent(double price, double previousClose) =>
        previousClose == 0 ? 0 : Math.Round((price - previousClose) / previousClose * 100, 2, MidpointRounding.AwayFromZero);

    public static double Clean(double amount) => Math.Round(amount, 6, MidpointRounding.AwayFromZero);
}
