using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Switchboard.Server.Http;

/// <summary>Puts the "Http" limits on Kestrel, so that a client trickling headers or a body cannot hold a connection open.</summary>
public static class HttpLimits
{
    public static IServiceCollection AddHttpLimits(this IServiceCollection services)
    {
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpOptions>, HttpOptionsValidator>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpOptions>>((kestrel, http) =>
        {
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(http.Value.RequestHeadersTimeoutSeconds);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(http.Value.MinRequestBodyBytesPerSecond, HttpOptions.MinDataRateGrace);
        });
        return services;
    }
}
