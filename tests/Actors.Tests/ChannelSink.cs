using System.Text;
using System.Threading.Channels;
using ActorQuotes.Actors.Sessions;

namespace ActorQuotes.Actors.Tests;

/// <summary>A socket stand-in for session tests: takes every frame at once and hands them out in order.</summary>
internal sealed class ChannelSink : IFrameSink
{
    private readonly Channel<string> _frames = Channel.CreateUnbounded<string>();

    public Task SendAsync(ReadOnlyMemory<byte> frame, bool more = false)
    {
        _frames.Writer.TryWrite(Encoding.UTF8.GetString(frame.Span));
        return Task.CompletedTask;
    }

    public Task CloseAsync(int closeCode, string reason) => Task.CompletedTask;

    public void Abort(int closeCode, string reason)
    {
    }

    public Task<string> Next(TimeSpan timeout) => _frames.Reader.ReadAsync().AsTask().WaitAsync(timeout);
}
