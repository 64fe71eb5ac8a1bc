using ActorQuotes.Gateway.Auth;

namespace ActorQuotes.Gateway.Tests.Auth;

public sealed class HashingPoolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "The hashing pool admits threads + queue jobs, refuses the next at once, and admits again once they are done")]
    public async Task Admits_up_to_capacity()
    {
        using var pool = new HashingPool(threads: 2, queue: 3);
        using var gate = new ManualResetEventSlim();
        using var started = new SemaphoreSlim(0);

        var admitted = Enumerable.Range(0, 5).Select(i => pool.TryRun(() =>
        {
            started.Release();
            gate.Wait(Bound);
            return i;
        }, CancellationToken.None)).ToList();
        Assert.True(started.Wait(Bound) && started.Wait(Bound), "the two hashing threads did not start");

        Assert.Equal(5, pool.Capacity);
        Assert.All(admitted, Assert.NotNull);
        Assert.Null(pool.TryRun(() => -1, CancellationToken.None));

        gate.Set();
        var results = await Task.WhenAll(admitted!).WaitAsync(Bound);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, results);
        var again = pool.TryRun(() => 7, CancellationToken.None);
        Assert.NotNull(again);
        Assert.Equal(7, await again.WaitAsync(Bound));
    }

    [Fact(DisplayName = "A job whose request was cancelled while it waited is not run, and frees its place")]
    public async Task Cancelled_jobs_are_skipped()
    {
        using var pool = new HashingPool(threads: 1, queue: 1);
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        using var cancelled = new CancellationTokenSource();
        var ran = false;

        var running = pool.TryRun(() =>
        {
            started.Set();
            gate.Wait(Bound);
            return 1;
        }, CancellationToken.None);
        Assert.True(started.Wait(Bound));
        var waiting = pool.TryRun(() => ran = true, cancelled.Token);
        Assert.NotNull(waiting);
        await cancelled.CancelAsync();
        gate.Set();

        Assert.Equal(1, await running!.WaitAsync(Bound));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
        Assert.False(ran);
        Assert.NotNull(pool.TryRun(() => 2, CancellationToken.None));
    }
}
