using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Switchboard.Protocols.Sdp;

namespace Switchboard.MediaLoad;

/// <summary>
/// The subscriber as a WHEP player (<c>--target whep</c>): no signaling, one POST of a <c>recvonly</c> offer (an Opus
/// and a VP8 section) to <c>/whep/{room}</c>; the server gives the sections the one publisher's microphone and camera.
/// Then ICE, DTLS and counting as for any subscriber.
/// </summary>
internal sealed partial class SfuSubscriber
{
    public async Task ConnectByWhepAsync(HttpClient http, CancellationToken cancel)
    {
        var (id, publisher) = Run.Publishers.Single();
        _sections = [new Section("0", $"{id}/microphone", publisher, false), new Section("1", $"{id}/camera", publisher, true)];
        using var offer = new StringContent(Offer());
        offer.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        _requestedAt = Stopwatch.GetTimestamp();
        using HttpResponseMessage response = await http.PostAsync($"whep/{Uri.EscapeDataString(Run.Room)}", offer, cancel);
        string body = await response.Content.ReadAsStringAsync(cancel);
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"WHEP POST: {(int)response.StatusCode} {body.Trim()}");
        await AcceptAsync(SessionDescription.Parse(body), cancel);
    }
}
