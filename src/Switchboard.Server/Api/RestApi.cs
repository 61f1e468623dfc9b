using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Switchboard.Server.Events;
using Switchboard.Server.Operations;
using Switchboard.Signaling;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Api;

/// <summary>
/// The REST API under /api (docs/rest-api.md), admin-token protected (<see cref="AccessTokenAuthentication"/>, checked
/// before the body is read), errors as application/problem+json, and its OpenAPI document at /openapi.json.
/// </summary>
public static class RestApi
{
    /// <summary>Request bodies are small JSON documents.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IServiceCollection AddRestApi(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Say what was wrong with the request (malformed JSON, a wrong field type, a body too large).
            if (context.Exception is BadHttpRequestException bad) context.ProblemDetails.Detail = bad.InnerException?.Message ?? bad.Message;
        });
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddSingleton<OverviewSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<OverviewSampler>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton(sp => new AccessTokenCodec(sp.GetRequiredService<IOptions<SignalingOptions>>().Value.ApiKeys));
        services.AddAuthentication(AccessTokenAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, AccessTokenAuthentication>(AccessTokenAuthentication.SchemeName, null);
        services.AddAuthorization(AccessTokenAuthentication.AddAdminPolicy);
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = "Switchboard REST API", Version = "v1", Description = "Rooms, participants and access tokens, each needing an access token with the admin grant; the media server's echo diagnostic, open." };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "An access token with the admin grant." },
                };
                return Task.CompletedTask;
            });
            // A route says it needs the token exactly when the server asks for one.
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static void MapRestApi(this WebApplication app)
    {
        // Bad requests (malformed JSON, wrong types, bodies too large) and bodiless errors (404, 405, 415) become problem+json.
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : 500 });
        app.UseStatusCodePages();
        // After routing (which WebApplication puts first), before the endpoint: the token is checked before a body is bound.
        app.UseAuthentication();
        app.UseAuthorization();
        var api = app.MapGroup("/api")
            .RequireAuthorization(AccessTokenAuthentication.AdminPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapRooms();
        api.MapRecordings();
        api.MapGateways();
        api.MapEvents();
        api.MapOverview();
        api.MapTurn();
        api.MapQuality();
        api.MapTokens();
        app.MapOpenApi("/openapi.json");
    }
}
