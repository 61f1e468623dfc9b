using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Media.Echo;
using Switchboard.Media.Recording;
using Switchboard.Media.Sfu;
using Switchboard.Media.Transport;

namespace Switchboard.Media;

public static class MediaServiceCollectionExtensions
{
    /// <summary>The media transport host (started with the app), the echo service and the SFU; options from "Media".</summary>
    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MediaOptions>, MediaOptionsValidator>();
        services.AddSingleton<MediaTransportHost>();
        services.AddSingleton<IMediaTransport>(sp => sp.GetRequiredService<MediaTransportHost>());
        services.AddHostedService(sp => sp.GetRequiredService<MediaTransportHost>());
        services.AddSingleton<MediaMetrics>();
        services.AddSingleton<EchoService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SfuService>();
        services.AddSingleton<Gateway.PlainRtpTransport>();
        services.AddHostedService(sp => sp.GetRequiredService<Gateway.PlainRtpTransport>());
        services.AddSingleton<RecordingService>();
        services.AddHostedService(sp => sp.GetRequiredService<RecordingService>());
        return services;
    }
}
