namespace Switchboard.Protocols.Containers;

/// <summary>
/// Writes one track's encoded frames to a file as they arrive. Sans-IO: writes into the caller's stream, reads no clock.
/// <see cref="Write"/> never throws for bad media: a sample it cannot use (empty, a video frame before the first usable key
/// frame, an H.264 key frame without SPS/PPS, malformed AV1 or Opus) is dropped and counted in <see cref="DroppedSamples"/>;
/// a time not after the previous sample's is moved just after it (1 ms in Matroska, one 90 kHz tick in MP4; Ogg stores no
/// time per packet), so that players see strictly increasing times: the frame is kept, since dropping it would break the
/// decoding of the frames that refer to it. Only misuse throws: <see cref="InvalidOperationException"/> for a write after
/// <see cref="Finish"/>, and the stream's own exceptions (disk full) pass through.
/// </summary>
public interface IContainerWriter : IDisposable
{
    TrackFormat Format { get; }

    /// <summary>Bytes written so far (for sizes and disk-space checks), including the cluster, page or fragment held in
    /// memory until its end.</summary>
    long Length { get; }

    /// <summary>Samples dropped as unusable (see the type's summary).</summary>
    long DroppedSamples { get; }

    void Write(in MediaSample sample);

    /// <summary>Whether <paramref name="sample"/> cannot go on in this file and the recorder should start a new one with it:
    /// in MP4, an H.264 key frame whose SPS or PPS differs from the file's (a resolution change). Always false for Matroska
    /// and Ogg, which carry such changes in band. Writing the sample anyway is allowed (it is stored; players may not show
    /// the new size).</summary>
    bool NeedsNewFile(in MediaSample sample);

    /// <summary>Ends the current cluster/page/fragment and flushes the stream, so everything written so far plays after a crash.
    /// Writers also do this on their own about every second of media (cluster/fragment/page boundaries), before a key frame.</summary>
    void Flush();

    /// <summary>Completes the file: durations, cues/index, sizes patched in where the format keeps them (the stream is seekable
    /// here; on a stream that cannot seek the patches are left out). No writes after. A writer that accepted no sample
    /// writes nothing.</summary>
    void Finish();
}
