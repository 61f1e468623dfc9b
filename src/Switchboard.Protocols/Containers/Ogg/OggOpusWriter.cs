using System.Diagnostics.CodeAnalysis;
using Switchboard.Protocols.Containers.Codecs;

namespace Switchboard.Protocols.Containers.Ogg;

/// <summary>
/// Writes an Opus track to Ogg (RFC 7845 on RFC 3533): a page with the OpusHead (pre-skip 0, see
/// <see cref="FrameConverter.OggOpusPreSkip"/>), a page with the OpusTags, then audio pages whose granule positions count
/// the 48 kHz samples of the packets on and before them (each packet's duration read from its TOC byte). A gap in the
/// sample times (a lost packet, a muted stretch, a reconnect) is filled with the number of 20 ms silence packets nearest
/// to it, so that granule positions stay within 10 ms of sample times and the file's timeline matches the recording's.
/// </summary>
/// <remarks>
/// Crash safety: a page is written whole and the stream flushed at least every second of audio and on
/// <see cref="Flush"/>; every page on disk is complete and checksummed, and a reader ignores a page cut by a crash. What a
/// crash loses is the page in memory, about a second. <see cref="Finish"/> ends the stream with an EOS page; Ogg keeps no
/// index or size to patch.
/// </remarks>
public sealed class OggOpusWriter : IContainerWriter
{
    const uint Serial = 0x5357_4244;
    const int PageSamples = OpusPacket.SampleRate; // about a second per page

    [SuppressMessage("Reliability", "CA2213", Justification = "The caller owns the stream (a file it may still rename or sync).")]
    readonly Stream _output;
    readonly OggPage _page = new();
    long _written, _granule, _pageStartGranule;
    uint _sequence;
    bool _started, _finished;

    public OggOpusWriter(TrackFormat format, Stream output)
    {
        if (format.Codec != RecordingCodec.Opus) throw new ArgumentException($"Ogg holds Opus here, not {format.Codec}.", nameof(format));
        if (format.Channels is < 1 or > 2) throw new ArgumentException("Ogg Opus mapping family 0 holds 1 or 2 channels.", nameof(format));
        Format = format;
        _output = output;
    }

    public TrackFormat Format { get; }
    public long Length => _written + (_page.PacketCount > 0 ? 27 + 255 + _page.BodyLength : 0);
    public long DroppedSamples { get; private set; }

    /// <summary>Samples written so far (the granule position of the last packet), at 48 kHz.</summary>
    public long GranulePosition => _granule;

    public bool NeedsNewFile(in MediaSample sample) => false;

    public void Write(in MediaSample sample)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var packet = sample.Data.Span;
        int samples = OpusPacket.SampleCount(packet);
        if (samples == 0)
        {
            DroppedSamples++;
            return;
        }
        if (!_started) WriteHeaders();
        long target = sample.Time.Ticks * OpusPacket.SampleRate / TimeSpan.TicksPerSecond;
        // A time behind the granule position (backwards, or jitter under 10 ms) adds nothing.
        for (long gap = target - _granule; gap >= OpusPacket.Silence20MsSamples / 2; gap -= OpusPacket.Silence20MsSamples)
            AddPacket(OpusPacket.Silence20Ms, OpusPacket.Silence20MsSamples);
        AddPacket(packet, samples);
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        EndPage();
        _output.Flush();
    }

    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (!_started) return;
        EmitPage(OggPage.EndOfStream, _granule); // the last packets, or an empty page that only marks the end
        _output.Flush();
    }

    /// <summary>Finishes the file if <see cref="Finish"/> was not called; the stream stays open.</summary>
    public void Dispose() => Finish();

    void WriteHeaders()
    {
        _started = true;
        _page.Add(OpusPacket.Head(Format.Channels, FrameConverter.OggOpusPreSkip));
        EmitPage(OggPage.BeginningOfStream, 0);
        _page.Add(OpusPacket.Tags("Switchboard"));
        EmitPage(0, 0);
    }

    void AddPacket(ReadOnlySpan<byte> packet, int samples)
    {
        if (_page.PacketCount > 0 && (_granule - _pageStartGranule >= PageSamples || !_page.Fits(packet.Length))) EndPage();
        if (_page.PacketCount == 0) _pageStartGranule = _granule;
        _page.Add(packet);
        _granule += samples;
    }

    void EndPage()
    {
        if (_page.PacketCount == 0) return;
        EmitPage(0, _granule);
        _output.Flush();
    }

    void EmitPage(byte flags, long granule)
    {
        var page = _page.Build(flags, granule, Serial, _sequence++);
        _output.Write(page);
        _written += page.Length;
    }
}
