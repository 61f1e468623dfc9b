using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Switchboard.Server.Api;

/// <summary>
/// The REST API under /api (docs/rest-api.md), admin-token protected, errors as application/problem+json, and its
/// OpenAPI document at /openapi.json.
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
        services.AddSingleton<AdminAuthorization>();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo { Title = "Switchboard REST API", Version = "v1", Description = "Rooms, participants and access tokens. Every call needs an access token with the admin grant." };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                ["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "An access token with the admin grant." },
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            return Task.CompletedTask;
        }));
        return services;
    }

    public static void MapRestApi(this WebApplication app)
    {
        // Bad requests (malformed JSON, wrong types, bodies too large) and bodiless errors (404, 405, 415) become problem+json.
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : 500 });
        app.UseStatusCodePages();
        var api = app.MapGroup("/api")
            .AddEndpointFilter<AdminAuthorization>()
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapRooms();
        api.MapTokens();
        app.MapOpenApi("/openapi.json");
    }
}
