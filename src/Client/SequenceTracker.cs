namespace ActorQuotes.Client;

/// <summary>A break in a socket's frame sequence.</summary>
/// <param name="Expected">The sequence that should have come.</param>
/// <param name="Received">The sequence that came.</param>
public readonly record struct SequenceGap(long Expected, long Received);

/// <summary>
/// Checks that a socket's frames are numbered 1, 2, 3, … Pure and not thread-safe; <see cref="Reset"/> it for
/// every new socket, since each starts again at 1.
/// </summary>
public sealed class SequenceTracker
{
    /// <summary>The last sequence seen on this socket; 0 before the first frame.</summary>
    public long Last { get; private set; }

    /// <summary>The sequence the next frame should carry.</summary>
    public long Expected => Last + 1;

    /// <summary>
    /// Records a frame's sequence. Returns the gap when it is not <see cref="Expected"/> (a skip, or a number that
    /// went back), and null when it is. Tracking goes on from the received number either way.
    /// </summary>
    public SequenceGap? Observe(long sequence)
    {
        var expected = Expected;
        Last = sequence;
        return sequence == expected ? null : new SequenceGap(expected, sequence);
    }

    /// <summary>Forgets the socket: the next frame should be 1.</summary>
    public void Reset() => Last = 0;
}
