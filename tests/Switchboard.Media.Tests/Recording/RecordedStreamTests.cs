using Switchboard.Media.Contracts;
using Switchboard.Media.Recording;
using Switchboard.Media.Sfu;
using Switchboard.Media.Tests.Sfu.Simulation;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Media.Tests.Recording;

/// <summary>
/// A recorded track's timeline across a change of source (a simulcast layer switch, the publisher's reconnect): each
/// source has its own timestamp base, and a new one is placed where its sender reports put it on the sender's clock,
/// not by when its first packet arrived.
/// </summary>
public sealed class RecordedStreamTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-recorded-stream-").FullName;

    [Fact]
    public async Task A_new_layer_and_a_new_connection_go_on_at_their_capture_time_from_the_sender_reports_not_their_arrival()
    {
        var harness = new SfuHarness();
        harness.Join("ann", PublishSpec.AudioAndSimulcast);
        PublishedTrack camera = harness.Sfu.Room(SfuHarness.Room)!.Participant("ann")!.Published[TrackSource.Camera];
        var recording = new RoomRecording("r", SfuHarness.Room, _directory, RecordingRequest.Everything, TimeProvider.System, _ => { });
        var senderClock = new SenderClock();
        var stream = new RecordedStream(camera, recording, senderClock);
        StreamSource top = new(0, 2), low = new(0, 0), reconnected = new(1, 2), unreported = new(2, 2);
        // Each source its own SSRC and timestamp base, as browsers send them.
        var sources = new Dictionary<StreamSource, (uint Ssrc, uint Base)>
        {
            [top] = (0xA1, 4_000_000_000),
            [low] = (0xA2, 123_456),
            [reconnected] = (0xB1, 2_000_000_000),
            [unreported] = (0xC1, 77),
        };
        // Frame n is captured at n/30 s on the sender's clock; each source reports one instant of it in its own timestamps
        // (RFC 3550 §6.4.1), the new connection after the reconnect.
        void Report(StreamSource source, int frame) =>
            senderClock.Update(source, (3_900_000_000UL << 32) + (ulong)(frame / 30.0 * 4294967296.0), sources[source].Base + (uint)(frame * 3000));
        Report(top, 5);
        Report(low, 40);
        Report(reconnected, 290);
        ushort sequence = 1000;
        void Take(StreamSource source, int frame, long arrivedAtMillis, bool keyframe = false)
        {
            byte[] payload = keyframe ? [0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00, 1, 2, 3] : [0x10, 0x51, 0x02, 0x00, 9, 9];
            byte[] packet = Packets.Rtp(sequence++, sources[source].Base + (uint)(frame * 3000), sources[source].Ssrc, payload, marker: true);
            RtpHeaderRewriter.SetPayloadType(packet, SimulatedParticipant.Vp8PayloadType);
            stream.Take(source, packet, arrivedAtMillis);
        }

        Take(top, 0, 1000, keyframe: true);
        Take(top, 1, 1033);
        // The low layer's key frame of frame 2 arrives 40 ms late; the connection after the reconnect 25 ms late.
        Take(low, 2, 1066 + 40, keyframe: true);
        Take(low, 3, 1100);
        Take(reconnected, 300, 11_000 + 25, keyframe: true);
        // No sender report yet from a source: it goes on by arrival time.
        Take(unreported, 330, 12_025, keyframe: true);
        stream.Finish();

        var times = await MediaReaders.PacketTimesAsync(Path.Combine(_directory, recording.Describe().Files.Single().Name));
        Assert.Equal([0, 33, 67, 100, 10_000, 11_000], times.Select(t => Math.Round(t * 1000)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
