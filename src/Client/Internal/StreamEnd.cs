namespace ActorQuotes.Client.Internal;

/// <summary>How a socket (or an attempt at one) ended, and whether the stream ends with it.</summary>
/// <param name="CloseCode">The close code, 1006 when there was no close frame.</param>
/// <param name="Reason">The close reason, or what failed.</param>
/// <param name="Fatal">Whether to stop instead of reconnecting.</param>
/// <param name="Code">The error code for <see cref="StreamClosedException.Code"/>, when it is not the reason.</param>
/// <param name="Message">A message for <see cref="StreamClosedException"/>.</param>
internal readonly record struct StreamEnd(int CloseCode, string? Reason, bool Fatal, string? Code = null, string? Message = null);
