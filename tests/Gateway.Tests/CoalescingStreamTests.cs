using ActorQuotes.Gateway.Streaming;

namespace ActorQuotes.Gateway.Tests;

public sealed class CoalescingStreamTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact(DisplayName = "Held writes reach the connection in one write, together with the first write that is not held")]
    public async Task Held_writes_go_with_the_next_write()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner);

        stream.Holding = true;
        await stream.WriteAsync("a1"u8.ToArray());
        await stream.WriteAsync("b22"u8.ToArray());
        Assert.Empty(inner.Writes);

        stream.Holding = false;
        await stream.WriteAsync("c333"u8.ToArray());

        Assert.Equal(["a1b22c333"], inner.Texts);
        Assert.Equal(1, stream.Writes);
    }

    [Fact(DisplayName = "A flush while holding does nothing; a flush that is not held writes what is held, then flushes the connection")]
    public async Task Flush_waits_for_the_batch()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner);

        stream.Holding = true;
        await stream.WriteAsync("a"u8.ToArray());
        await stream.FlushAsync();
        Assert.Empty(inner.Writes);
        Assert.Equal(0, inner.Flushes);

        stream.Holding = false;
        await stream.FlushAsync();

        Assert.Equal(["a"], inner.Texts);
        Assert.Equal(1, inner.Flushes);
    }

    [Fact(DisplayName = "ReleaseAsync writes what is held once and stops holding; with nothing held it writes nothing")]
    public async Task Release_writes_what_is_held()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner);

        await stream.ReleaseAsync();
        Assert.Empty(inner.Writes);

        stream.Holding = true;
        await stream.WriteAsync("x"u8.ToArray());
        await stream.WriteAsync("y"u8.ToArray());
        await stream.ReleaseAsync();
        await stream.ReleaseAsync();
        await stream.WriteAsync("z"u8.ToArray());

        Assert.False(stream.Holding);
        Assert.Equal(["xy", "z"], inner.Texts);
    }

    [Fact(DisplayName = "A write that finds an earlier one still pending waits for it, and the bytes keep their order")]
    public async Task Writes_wait_for_a_pending_write()
    {
        var inner = new RecordingStream { HoldNext = true };
        using var stream = new CoalescingStream(inner);

        stream.Holding = true;
        await stream.WriteAsync("1"u8.ToArray());
        var releasing = stream.ReleaseAsync().AsTask(); // the connection does not take it yet
        var later = stream.WriteAsync("2"u8.ToArray()).AsTask();
        stream.Holding = true;
        var held = stream.WriteAsync("3"u8.ToArray()).AsTask();

        Assert.False(releasing.IsCompleted);
        Assert.False(later.IsCompleted);
        Assert.Equal(["1"], inner.Texts);

        inner.TakePending();
        await releasing.WaitAsync(Wait);
        await later.WaitAsync(Wait);
        await held.WaitAsync(Wait);
        await stream.ReleaseAsync().AsTask().WaitAsync(Wait);

        Assert.Equal("123", string.Concat(inner.Texts));
    }

    [Fact(DisplayName = "Held bytes past the limit are written at once, in order, and a frame larger than the limit passes straight through")]
    public async Task Holding_is_bounded()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner);
        var frame = Enumerable.Range(0, 1000).Select(i => (byte)('a' + (i % 26))).ToArray();
        var big = new byte[CoalescingStream.MaxHeldBytes + 1];
        Array.Fill(big, (byte)'!');

        stream.Holding = true;
        for (var i = 0; i < 40; i++)
        {
            await stream.WriteAsync(frame);
        }

        await stream.WriteAsync(big);
        await stream.ReleaseAsync();

        Assert.All(inner.Writes, w => Assert.True(w.Length <= CoalescingStream.MaxHeldBytes || w.SequenceEqual(big)));
        Assert.Equal(Enumerable.Repeat(frame, 40).SelectMany(f => f).Concat(big).ToArray(), inner.Writes.SelectMany(w => w).ToArray());
        Assert.InRange(inner.Writes.Count, 3, 4); // 16 frames fit per write: 16 + 16 + 8, then the big one
    }

    /// <summary>A connection that records each write; with <see cref="HoldNext"/>, it takes the next write only on <see cref="TakePending"/>.</summary>
    private sealed class RecordingStream : Stream
    {
        private TaskCompletionSource? _pending;

        public bool HoldNext { get; set; }

        public List<byte[]> Writes { get; } = [];

        public IEnumerable<string> Texts => Writes.Select(w => System.Text.Encoding.UTF8.GetString(w));

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void TakePending() => _pending!.SetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            if (!HoldNext)
            {
                return ValueTask.CompletedTask;
            }

            HoldNext = false;
            _pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_pending.Task);
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public int Flushes { get; private set; }

        public override void Flush() => Flushes++;

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
