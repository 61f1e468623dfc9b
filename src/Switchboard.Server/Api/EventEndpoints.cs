using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Server.Events;
using Switchboard.Signaling.Events;

namespace Switchboard.Server.Api;

/// <summary>Room events for an app's backend (docs/events.md): a server-sent events stream, and the webhook receivers' state.</summary>
public static class EventEndpoints
{
    /// <summary>Events that may wait for a slow stream reader; one that falls further behind is cut off (and may reconnect with Last-Event-ID).</summary>
    public const int StreamQueueLimit = 1_000;

    public static void MapEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/events", async (HttpContext context, RoomEventFeed feed, string? room, long? after) =>
            {
                long? resumeAfter = after ?? (long.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out long last) ? last : null);
                var queue = Channel.CreateBounded<RoomEvent>(new BoundedChannelOptions(StreamQueueLimit) { SingleReader = true });
                Action<RoomEvent> take = e =>
                {
                    if ((room is null || e.Room == room) && !queue.Writer.TryWrite(e)) queue.Writer.TryComplete(); // too far behind: cut off
                };
                IReadOnlyList<RoomEvent> missed = feed.Subscribe(take, resumeAfter);
                try
                {
                    context.Response.ContentType = "text/event-stream";
                    context.Response.Headers.CacheControl = "no-cache";
                    context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
                    await context.Response.Body.FlushAsync(context.RequestAborted); // subscribed: from here on nothing is missed
                    await SseFormatter.WriteAsync(ItemsAsync(missed.Where(e => room is null || e.Room == room), queue.Reader, context.RequestAborted),
                        context.Response.Body, context.RequestAborted);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                }
                finally
                {
                    feed.Unsubscribe(take);
                }
            })
            .WithTags("Events")
            .WithSummary("Room events as they happen (text/event-stream), of one room with ?room=; Last-Event-ID or ?after= resumes after an event of the last 1,000");

        api.MapGet("/webhooks", (WebhookDispatcher webhooks) => webhooks.Status())
            .WithTags("Events")
            .WithSummary("The webhook receivers: events delivered, failed, dropped and waiting, and the last error");
    }

    private static async IAsyncEnumerable<SseItem<string>> ItemsAsync(IEnumerable<RoomEvent> missed, ChannelReader<RoomEvent> queue,
        [EnumeratorCancellation] CancellationToken cancel)
    {
        foreach (RoomEvent e in missed) yield return Item(e);
        await foreach (RoomEvent e in queue.ReadAllAsync(cancel).ConfigureAwait(false)) yield return Item(e);
    }

    private static SseItem<string> Item(RoomEvent e) =>
        new(Encoding.UTF8.GetString(RoomEventJson.Serialize(e)), e.Type) { EventId = e.Sequence.ToString(CultureInfo.InvariantCulture) };
}
