using Switchboard.Signaling.Events;

namespace Switchboard.Signaling.Tests.Events;

public sealed class RoomEventFeedTests
{
    [Fact]
    public void Events_are_numbered_in_the_order_raised_and_every_subscriber_gets_them_in_that_order()
    {
        var feed = new RoomEventFeed(TimeProvider.System);
        List<RoomEvent> first = [], second = [];
        feed.Subscribe(first.Add);
        feed.Subscribe(second.Add);
        feed.Raise(RoomEventTypes.RoomStarted, "a");
        feed.Raise(RoomEventTypes.ParticipantJoined, "a", e => e with { Participant = new RoomEventParticipant("p_1", "ann", "Ann") });

        Assert.Equal([1L, 2L], first.Select(e => e.Sequence));
        Assert.Equal(first, second);
        Assert.Equal("Ann", first[1].Participant!.Name);
        Assert.NotEqual(first[0].Id, first[1].Id);
    }

    [Fact]
    public void A_subscriber_that_comes_back_gets_what_it_missed_from_the_kept_events_and_nothing_twice()
    {
        var feed = new RoomEventFeed(TimeProvider.System);
        for (int i = 0; i < 5; i++) feed.Raise(RoomEventTypes.ParticipantJoined, "a");
        List<RoomEvent> live = [];

        IReadOnlyList<RoomEvent> missed = feed.Subscribe(live.Add, afterSequence: 3);
        feed.Raise(RoomEventTypes.RoomFinished, "a");

        Assert.Equal([4L, 5L], missed.Select(e => e.Sequence));
        Assert.Equal([6L], live.Select(e => e.Sequence));
    }

    [Fact]
    public void Only_the_last_thousand_events_are_kept_and_an_unsubscribed_handler_gets_nothing_more()
    {
        var feed = new RoomEventFeed(TimeProvider.System);
        List<RoomEvent> got = [];
        feed.Subscribe(got.Add);
        for (int i = 0; i < RoomEventFeed.HistorySize + 10; i++) feed.Raise(RoomEventTypes.RoomStarted, "r" + i);
        feed.Unsubscribe(got.Add);
        feed.Raise(RoomEventTypes.RoomFinished, "r");

        Assert.Equal(RoomEventFeed.HistorySize + 10, got.Count);
        Assert.Equal(12L, feed.Subscribe(_ => { }, afterSequence: 0)[0].Sequence); // 1,011 raised: the first 11 are gone
    }
}
