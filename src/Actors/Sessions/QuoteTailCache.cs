using System.Runtime.CompilerServices;
using ActorQuotes.Contracts.Frames;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Actors.Sessions;

/// <summary>
/// Serializes each published <see cref="Quote"/> once per node. Pub-sub hands the same instance to every
/// local subscriber, so keying on the instance shares the bytes among all quote-stream sockets; entries
/// go when the quote is collected.
/// </summary>
public static class QuoteTailCache
{
    private static readonly ConditionalWeakTable<Quote, byte[]> Tails = new();

    public static byte[] For(Quote quote) => Tails.GetValue(quote, FrameWriter.QuoteTail);
}
