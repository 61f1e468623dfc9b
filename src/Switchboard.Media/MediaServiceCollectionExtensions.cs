using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Media.Echo;
using Switchboard.Media.Transport;

namespace Switchboard.Media;

public static class MediaServiceCollectionExtensions
{
    /// <summary>The media transport host (started with the app) and the echo service; options from "Media".</summary>
    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MediaOptions>, MediaOptionsValidator>();
        services.AddSingleton<MediaTransportHost>();
        services.AddHostedService(sp => sp.GetRequiredService<MediaTransportHost>());
        services.AddSingleton<MediaMetrics>();
        services.AddSingleton<EchoService>();
        return services;
    }
}
