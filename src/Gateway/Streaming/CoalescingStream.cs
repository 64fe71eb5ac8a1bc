using System.Buffers;
using System.Diagnostics.Metrics;

namespace ActorQuotes.Gateway.Streaming;

/// <summary>
/// The upgraded connection under a stream's server WebSocket, able to hold frames and write several with
/// one write. The WebSocket writes each frame (header and payload) with one <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
/// and a <see cref="FlushAsync(CancellationToken)"/>, each a pipe operation in Kestrel; a session that has k
/// frames due at once (a busy socket's quotes, a subscription's first quotes) pays that k times. While
/// <see cref="Holding"/>, writes are copied into one pooled buffer instead and flushes do nothing, and the
/// next write that is not held, or <see cref="ReleaseAsync"/>, hands Kestrel everything at once: one
/// pipe write and one flush per batch (docs/decisions/0010-batched-writes.md).
/// <para>
/// Thread safety: the WebSocket serializes its own writes (one at a time, each awaited), and
/// <see cref="WebSocketFrameSink"/> sets <see cref="Holding"/> and calls <see cref="ReleaseAsync"/> under its
/// own gate, but the WebSocket's pings and pongs are not under that gate. So every write to the inner
/// stream is made under this stream's lock, and one that finds an earlier write still pending (Kestrel's
/// backpressure) waits for it: bytes reach the connection in the order they were written here.
/// </para>
/// </summary>
/// <param name="inner">The upgraded connection.</param>
/// <param name="writeCounter">Counts each write to <paramref name="inner"/> (the node's <c>actorquotes.stream.writes</c>).</param>
public sealed class CoalescingStream(Stream inner, Counter<long>? writeCounter = null) : Stream
{
    /// <summary>Held bytes past this are written at once: a batch's buffer stays small (a few frames' worth).</summary>
    public const int MaxHeldBytes = 16 * 1024;

    private readonly Lock _lock = new();

    // Rented while something is held, returned when written: an idle socket holds no buffer.
    private byte[]? _held;
    private int _heldLength;

    // The last write queued to the inner stream while it has not completed; a later write goes after it.
    private Task? _tail;
    private long _writes;

    // Written by the sink's thread, read under the lock by whichever thread writes (the WebSocket's pings too).
    private volatile bool _holding;

    /// <summary>
    /// Set by the sink, under its gate: while true, writes are held (up to <see cref="MaxHeldBytes"/>) until
    /// a write that is not held, or <see cref="ReleaseAsync"/>.
    /// </summary>
    public bool Holding
    {
        get => _holding;
        set => _holding = value;
    }

    /// <summary>Writes made to the connection so far (each a pipe write and a flush in Kestrel).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return _tail is { IsCompleted: false } earlier
                ? After(earlier, buffer, Op.Write, cancellationToken)
                : Pending(WriteCore(buffer, cancellationToken));
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Stops holding and writes what is held, if anything; completes when the connection took it.</summary>
    public ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Holding = false;
            return _tail is { IsCompleted: false } earlier
                ? After(earlier, ReadOnlyMemory<byte>.Empty, Op.Release, cancellationToken)
                : Pending(ReleaseCore(cancellationToken));
        }
    }

    /// <summary>
    /// The WebSocket flushes after every frame; while holding that is a no-op (the batch's last frame
    /// flushes), otherwise it writes what is held and flushes the connection.
    /// </summary>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Holding)
            {
                return Task.CompletedTask;
            }

            return (_tail is { IsCompleted: false } earlier
                ? After(earlier, ReadOnlyMemory<byte>.Empty, Op.Flush, cancellationToken)
                : Pending(FlushCore(cancellationToken))).AsTask();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                // A write in progress took its buffer with it (and returns it when it ends); this one holds nothing sent.
                Return(_held);
                _held = null;
                _heldLength = 0;
            }

            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // Under the lock, with no earlier write pending: holds the bytes, or writes them (after what is held).
    private ValueTask WriteCore(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var fits = _heldLength + buffer.Length <= MaxHeldBytes;
        if (Holding && fits)
        {
            Hold(buffer.Span);
            return ValueTask.CompletedTask;
        }

        if (_heldLength == 0)
        {
            return Write(buffer, rented: null, cancellationToken);
        }

        if (fits)
        {
            // What is held goes first, then this write: one write.
            Hold(buffer.Span);
            return ReleaseCore(cancellationToken);
        }

        // Too much for one write: what is held, then this. Anything else queues behind both (the caller's tail).
        var held = ReleaseCore(cancellationToken);
        return held.IsCompletedSuccessfully ? WriteCore(buffer, cancellationToken) : new ValueTask(ThenWriteAsync(held.AsTask(), buffer, cancellationToken));
    }

    private async Task ThenWriteAsync(Task held, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await held.ConfigureAwait(false);
        ValueTask write;
        lock (_lock)
        {
            write = WriteCore(buffer, cancellationToken);
        }

        await write.ConfigureAwait(false);
    }

    // Under the lock, with no earlier write pending: writes what is held and hands its buffer to that write.
    private ValueTask ReleaseCore(CancellationToken cancellationToken)
    {
        if (_heldLength == 0)
        {
            return ValueTask.CompletedTask;
        }

        var held = _held!;
        var length = _heldLength;
        _held = null;
        _heldLength = 0;
        return Write(held.AsMemory(0, length), held, cancellationToken);
    }

    private ValueTask Write(ReadOnlyMemory<byte> bytes, byte[]? rented, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        writeCounter?.Add(1);
        ValueTask write;
        try
        {
            write = inner.WriteAsync(bytes, cancellationToken);
        }
        catch
        {
            Return(rented);
            throw;
        }

        if (!write.IsCompleted)
        {
            return new ValueTask(ReturnWhenWrittenAsync(write, rented));
        }

        try
        {
            write.GetAwaiter().GetResult();
        }
        finally
        {
            Return(rented);
        }

        return ValueTask.CompletedTask;

        static async Task ReturnWhenWrittenAsync(ValueTask write, byte[]? rented)
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            finally
            {
                Return(rented);
            }
        }
    }

    // Under the lock: a write that is still pending becomes the one later writes wait for.
    private ValueTask Pending(ValueTask write)
    {
        if (write.IsCompleted)
        {
            return write;
        }

        var task = write.AsTask();
        _tail = task;
        return new ValueTask(task);
    }

    // Under the lock, with no earlier write pending: writes what is held, then flushes the connection.
    private ValueTask FlushCore(CancellationToken cancellationToken)
    {
        var held = ReleaseCore(cancellationToken);
        return held.IsCompletedSuccessfully ? new ValueTask(inner.FlushAsync(cancellationToken)) : new ValueTask(ThenFlushAsync(held.AsTask()));

        async Task ThenFlushAsync(Task writing)
        {
            await writing.ConfigureAwait(false);
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Under the lock: queues the operation behind the pending one; it becomes the one to wait for.
    private ValueTask After(Task earlier, ReadOnlyMemory<byte> buffer, Op op, CancellationToken cancellationToken)
    {
        var task = AfterAsync(earlier, buffer, op, cancellationToken);
        _tail = task;
        return new ValueTask(task);
    }

    private async Task AfterAsync(Task earlier, ReadOnlyMemory<byte> buffer, Op op, CancellationToken cancellationToken)
    {
        // An earlier write's failure is that write's to report; this one then fails on the broken connection.
        await earlier.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            .ConfigureAwait(false);
        ValueTask next;
        lock (_lock)
        {
            next = op switch
            {
                Op.Write => WriteCore(buffer, cancellationToken),
                Op.Release => ReleaseCore(cancellationToken),
                _ => Holding ? ValueTask.CompletedTask : FlushCore(cancellationToken),
            };
        }

        await next.ConfigureAwait(false);
    }

    private enum Op
    {
        Write,
        Release,
        Flush,
    }

    // Under the lock.
    private void Hold(ReadOnlySpan<byte> bytes)
    {
        if (_held is null || _held.Length - _heldLength < bytes.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_heldLength + bytes.Length, 4096));
            if (_held is { } old)
            {
                old.AsSpan(0, _heldLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(old);
            }

            _held = bigger;
        }

        bytes.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += bytes.Length;
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
