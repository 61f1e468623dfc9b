using System.Buffers.Binary;

namespace Switchboard.Media.Tests.Recording;

/// <summary>
/// The frames of an IVF file (VP8 from ffmpeg) and the packets of an Ogg Opus file, for test publishers; the packet
/// times of a recorded file.
/// </summary>
internal static class MediaReaders
{
    /// <summary>IVF: a 32-byte file header, then per frame a 12-byte header (size, timestamp) and the frame.</summary>
    public static List<byte[]> IvfFrames(byte[] file)
    {
        var frames = new List<byte[]>();
        for (int offset = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6)); offset + 12 <= file.Length;)
        {
            int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset));
            frames.Add(file.AsSpan(offset + 12, size).ToArray());
            offset += 12 + size;
        }
        return frames;
    }

    /// <summary>RFC 3533 pages: packets joined across lacing values of 255; the first two (OpusHead, OpusTags) left out.</summary>
    public static List<byte[]> OggPackets(byte[] file)
    {
        var packets = new List<byte[]>();
        var current = new List<byte>();
        for (int offset = 0; offset + 27 <= file.Length;)
        {
            int segments = file[offset + 26], data = offset + 27 + segments;
            for (int i = 0; i < segments; i++)
            {
                int lace = file[offset + 27 + i];
                current.AddRange(file.AsSpan(data, lace).ToArray());
                data += lace;
                if (lace < 255)
                {
                    packets.Add([.. current]);
                    current.Clear();
                }
            }
            offset = data;
        }
        return packets.Skip(2).ToList();
    }

    /// <summary>Every packet's time in a file, as ffprobe reads it (nothing is decoded: test payloads need not be real codec data).</summary>
    public static async Task<List<double>> PacketTimesAsync(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ffprobe", ["-v", "error", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        string text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.Parse(t.TrimEnd(','), System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }
}
