using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ActorQuotes.Bench.LoadGen.Reporting;

/// <summary>A minimal PNG encoder (8-bit RGB, no filtering, zlib from the BCL).</summary>
public static class Png
{
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    public static byte[] Encode(Canvas canvas)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, canvas.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), canvas.Height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type RGB
        Chunk(output, "IHDR", header);

        var raw = new byte[canvas.Height * (1 + canvas.Width * 3)];
        var at = 0;
        for (var y = 0; y < canvas.Height; y++)
        {
            raw[at++] = 0; // filter: none
            for (var x = 0; x < canvas.Width; x++)
            {
                var rgb = canvas.Pixels[y * canvas.Width + x];
                raw[at++] = (byte)(rgb >> 16);
                raw[at++] = (byte)(rgb >> 8);
                raw[at++] = (byte)rgb;
            }
        }

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(raw);
            }

            Chunk(output, "IDAT", compressed.ToArray());
        }

        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0xFFFFFFFF)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(data, Crc32(typeBytes)) ^ 0xFFFFFFFF);
        output.Write(number);
    }
}
