using System.Buffers.Binary;

namespace ActorQuotes.Bench.LoadGen.Net;

/// <summary>The header of one RFC 6455 frame.</summary>
public readonly record struct FrameHeader(bool Fin, int Opcode, int HeaderLength, long PayloadLength, bool Masked)
{
    public const int Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    public long FrameLength => HeaderLength + (Masked ? 4 : 0) + PayloadLength;
}

/// <summary>Reads frame headers from a byte buffer and writes masked client frames (RFC 6455 §5.2).</summary>
public static class WebSocketFrames
{
    /// <summary>False when <paramref name="buffer"/> does not yet hold the whole header.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> buffer, out FrameHeader header)
    {
        header = default;
        if (buffer.Length < 2)
        {
            return false;
        }

        var fin = (buffer[0] & 0x80) != 0;
        var opcode = buffer[0] & 0x0F;
        var masked = (buffer[1] & 0x80) != 0;
        long length = buffer[1] & 0x7F;
        var headerLength = 2;
        if (length == 126)
        {
            if (buffer.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
            headerLength = 4;
        }
        else if (length == 127)
        {
            if (buffer.Length < 10)
            {
                return false;
            }

            length = (long)BinaryPrimitives.ReadUInt64BigEndian(buffer[2..]);
            headerLength = 10;
        }

        header = new FrameHeader(fin, opcode, headerLength, length, masked);
        return true;
    }

    /// <summary>A complete client frame (FIN set, masked with <paramref name="mask"/>).</summary>
    public static byte[] ClientFrame(int opcode, ReadOnlySpan<byte> payload, uint mask)
    {
        var headerLength = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[headerLength + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        if (headerLength == 2)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (headerLength == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, mask);
        key.CopyTo(frame.AsSpan(headerLength));
        var body = frame.AsSpan(headerLength + 4);
        for (var i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ key[i & 3]);
        }

        return frame;
    }
}
