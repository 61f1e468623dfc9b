using Switchboard.Protocols.Rtcp;

namespace Switchboard.Protocols.Tests.Rtcp;

/// <summary>Key frame requests toward one publisher stream: at most one per interval, the rest remembered or satisfied.</summary>
public class KeyframeRequestThrottleTests
{
    [Fact]
    public void Fifty_requests_within_the_interval_send_one_now_and_one_when_it_has_passed()
    {
        var throttle = new KeyframeRequestThrottle(500);
        Assert.True(throttle.Request(1_000));
        for (int i = 1; i < 50; i++) Assert.False(throttle.Request(1_000 + i * 9));
        Assert.Equal((1, 49), (throttle.RequestsSent, throttle.RequestsMerged));

        Assert.False(throttle.TakeDue(1_499));
        Assert.True(throttle.TakeDue(1_500));
        Assert.False(throttle.TakeDue(1_501)); // taken
        Assert.False(throttle.TakeDue(5_000)); // and nothing more was asked
        Assert.Equal((2, 49), (throttle.RequestsSent, throttle.RequestsMerged));
    }

    [Fact]
    public void A_key_frame_in_between_satisfies_the_remembered_requests()
    {
        var throttle = new KeyframeRequestThrottle(500);
        Assert.True(throttle.Request(0));
        Assert.False(throttle.Request(100));
        throttle.OnKeyframe(200);
        Assert.Equal(200, throttle.LastKeyframeAt);
        Assert.False(throttle.TakeDue(500));
        Assert.False(throttle.TakeDue(10_000));
        Assert.Equal(1, throttle.RequestsSent);
    }

    [Fact]
    public void A_request_after_the_interval_goes_out_at_once()
    {
        var throttle = new KeyframeRequestThrottle(500);
        Assert.True(throttle.Request(0));
        Assert.True(throttle.Request(500));
        Assert.False(throttle.Request(999));
        Assert.True(throttle.Request(1_000)); // sends, and the remembered one with it
        Assert.False(throttle.TakeDue(1_500));
        Assert.Equal((3, 1), (throttle.RequestsSent, throttle.RequestsMerged));
    }

    [Fact]
    public void A_due_request_restarts_the_interval()
    {
        var throttle = new KeyframeRequestThrottle(500);
        throttle.Request(0);
        throttle.Request(10);
        Assert.True(throttle.TakeDue(600));
        Assert.False(throttle.Request(700)); // 100 ms after the due one went out
        Assert.False(throttle.TakeDue(1_099));
        Assert.True(throttle.TakeDue(1_100));
    }

    [Fact]
    public void A_key_frame_before_any_request_changes_nothing()
    {
        var throttle = new KeyframeRequestThrottle(500);
        throttle.OnKeyframe(0);
        Assert.False(throttle.TakeDue(1_000));
        Assert.True(throttle.Request(1_000));
    }
}
