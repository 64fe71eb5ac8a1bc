using System.Collections.Concurrent;

namespace ActorQuotes.Gateway.Auth;

/// <summary>
/// Runs password hashing on a few threads of its own with a bounded queue. A PBKDF2 hash takes a core for
/// about 0.1 s; on the .NET thread pool 64 concurrent sign-ins for unknown users slowed every other request
/// from 2 ms to 3.3 s and stalled streams for 6 s (issue 22). Here they use at most
/// <see cref="AuthOptions.HashingThreads"/> cores, and once <see cref="AuthOptions.HashingQueue"/> more are
/// waiting, a sign-in is refused at once (503, nothing changed) instead of queueing without bound.
/// </summary>
public sealed class HashingPool : IDisposable
{
    private readonly BlockingCollection<Action> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private int _admitted;

    public HashingPool(int threads, int queue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queue);

        // The admission count bounds the jobs; the collection only has to hold all of them at once.
        Capacity = threads + queue;
        _queue = new BlockingCollection<Action>(new ConcurrentQueue<Action>(), Capacity);
        for (var i = 0; i < threads; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"aq-hashing-{i}" }.Start();
        }
    }

    /// <summary>How many jobs may be admitted (running or waiting) at once.</summary>
    public int Capacity { get; }

    /// <summary>
    /// Runs <paramref name="work"/> on a hashing thread, or returns null at once when <see cref="Capacity"/> jobs
    /// are already admitted. A job whose request was cancelled while it waited is not run.
    /// </summary>
    public Task<T>? TryRun<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _admitted) > Capacity)
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Job()
        {
            try
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    done.TrySetCanceled(cancellationToken);
                    return;
                }

                done.TrySetResult(work());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
            finally
            {
                Interlocked.Decrement(ref _admitted);
            }
        }

        try
        {
            _queue.Add(Job, CancellationToken.None); // never waits: at most Capacity jobs are admitted
        }
        catch (InvalidOperationException)
        {
            // Shutting down.
            Interlocked.Decrement(ref _admitted);
            return null;
        }

        return done.Task;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _queue.CompleteAdding();
    }

    private void Work()
    {
        try
        {
            foreach (var job in _queue.GetConsumingEnumerable(_stopping.Token))
            {
                job();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}

/// <summary>Thrown by <see cref="PasswordHasher"/> when the <see cref="HashingPool"/> is full; answered 503.</summary>
public sealed class HashingBusyException() : Exception("too many sign-ins are being checked at once");
