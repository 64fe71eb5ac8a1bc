namespace ActorQuotes.Client.Tests;

public sealed class SequenceTrackerTests
{
    [Fact(DisplayName = "Sequences 1, 2, 3 on a socket are continuous")]
    public void Continuous()
    {
        var tracker = new SequenceTracker();

        var gaps = new[] { 1L, 2, 3 }.Select(tracker.Observe).ToArray();

        Assert.All(gaps, g => Assert.Null(g));
        Assert.Equal(3, tracker.Last);
        Assert.Equal(4, tracker.Expected);
    }

    [Fact(DisplayName = "A skipped sequence is a gap naming the expected and received numbers, and tracking goes on from the received one")]
    public void Gap()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(1);
        tracker.Observe(2);

        var gap = tracker.Observe(5);
        var next = tracker.Observe(6);

        Assert.Equal(new SequenceGap(3, 5), gap);
        Assert.Null(next);
    }

    [Fact(DisplayName = "A sequence that goes back is a gap too")]
    public void Backwards()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(1);
        tracker.Observe(2);

        Assert.Equal(new SequenceGap(3, 1), tracker.Observe(1));
    }

    [Fact(DisplayName = "After a reset for a new socket, 1 is expected again and is not a gap")]
    public void Reset_for_new_socket()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(1);
        tracker.Observe(2);
        tracker.Observe(3);

        tracker.Reset();

        Assert.Equal(1, tracker.Expected);
        Assert.Null(tracker.Observe(1));
        Assert.Null(tracker.Observe(2));
    }

    [Fact(DisplayName = "A new socket whose first frame is not 1 has a gap from 1")]
    public void First_frame_not_one()
    {
        var tracker = new SequenceTracker();

        Assert.Equal(new SequenceGap(1, 4), tracker.Observe(4));
    }
}
