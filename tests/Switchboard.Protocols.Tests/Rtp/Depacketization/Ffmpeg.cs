using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Protocols.Tests.Rtp.Depacketization;

/// <summary>
/// Runs ffmpeg (Debian package ffmpeg, with libvpx, libx264, libopus and SVT-AV1) for the depacketizer tests: encodes
/// reference files, packetizes them with ffmpeg's RTP muxer to a UDP socket on the loopback and collects the packets,
/// and decodes what the tests assembled. A missing ffmpeg fails the test with how to install it.
/// </summary>
internal static class Ffmpeg
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs ffmpeg; returns its standard error. Throws when it cannot start or exits with an error.</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])["-hide_banner", "-nostdin", "-y", .. arguments]) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("ffmpeg is not installed: the depacketizer tests need it (Debian: apt-get install ffmpeg)", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            string error = process.StandardError.ReadToEndAsync().WaitAsync(Timeout).GetAwaiter().GetResult();
            if (!process.WaitForExit(Timeout)) process.Kill();
            output.Wait(Timeout);
            if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
            return error;
        }
    }

    /// <summary>
    /// Packetizes <paramref name="input"/> without transcoding (-c copy) and returns the RTP packets in order (VP9's
    /// packetizer is marked experimental in ffmpeg 5.1).
    /// </summary>
    public static List<byte[]> Packetize(string input, int packetSize = 600, params string[] inputOptions)
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Client.ReceiveBufferSize = 4 << 20;
        int port = ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
        var packets = new List<byte[]>();
        var receiving = Task.Run(async () =>
        {
            while (true)
            {
                var result = await socket.ReceiveAsync();
                if (result.Buffer.Length >= 2 && result.Buffer[1] is >= 200 and <= 204) continue; // RTCP
                lock (packets) packets.Add(result.Buffer);
            }
        });
        Run(["-v", "error", .. inputOptions, "-i", input, "-c", "copy", "-strict", "experimental", "-f", "rtp", $"rtp://127.0.0.1:{port}?rtcpport={port}&pkt_size={packetSize}"]);
        Thread.Sleep(300);
        socket.Close();
        try { receiving.Wait(); } catch (AggregateException) { } // the socket closed
        lock (packets)
        {
            for (int i = 1; i < packets.Count; i++)
            {
                ushort previous = BinaryPrimitives.ReadUInt16BigEndian(packets[i - 1].AsSpan(2)), current = BinaryPrimitives.ReadUInt16BigEndian(packets[i].AsSpan(2));
                if ((ushort)(previous + 1) != current) throw new InvalidOperationException($"the loopback lost or reordered RTP packets ({previous} then {current})");
            }
            return [.. packets];
        }
    }

    /// <summary>The frames of an IVF file (a 32-byte file header, then a 12-byte header before each frame).</summary>
    public static List<byte[]> ReadIvf(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        var frames = new List<byte[]>();
        for (int offset = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6)); offset + 12 <= file.Length;)
        {
            int size = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(offset));
            frames.Add(file.AsSpan(offset + 12, size).ToArray());
            offset += 12 + size;
        }
        return frames;
    }

    public static void WriteIvf(string path, string fourcc, int width, int height, IReadOnlyList<byte[]> frames)
    {
        using var file = File.Create(path);
        var header = new byte[32];
        "DKIF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 32);
        System.Text.Encoding.ASCII.GetBytes(fourcc).CopyTo(header, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), (ushort)height);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 30);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)frames.Count);
        file.Write(header);
        for (int i = 0; i < frames.Count; i++)
        {
            var frameHeader = new byte[12];
            BinaryPrimitives.WriteInt32LittleEndian(frameHeader, frames[i].Length);
            BinaryPrimitives.WriteInt64LittleEndian(frameHeader.AsSpan(4), i);
            file.Write(frameHeader);
            file.Write(frames[i]);
        }
    }

    /// <summary>Decodes <paramref name="path"/> to nothing; returns ffmpeg's errors (empty when it decoded cleanly).</summary>
    public static string Decode(string path, params string[] inputOptions) =>
        Run(["-v", "error", .. inputOptions, "-i", path, "-f", "null", "-"]).Trim();
}
