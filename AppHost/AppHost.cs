using Ent.Partnership.AppHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = DistributedApplication.CreateBuilder(args);
// `--replicas 2` runs two processes of each service.
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--replicas"] = "Services:Replicas" });

var environment = builder.Environment.EnvironmentName;

var redis = builder.AddPartnershipRedis("redis");

var parties = builder.AddPartnershipService<Projects.Ent_Partnership_Parties>("parties")
    .WithSampleData(builder, "Parties", "Schools")
    .WithReference(redis)
    .WaitFor(redis);

// Everything but Redis starts at once: each service calls the others only once they answer (sample data
// waits for them, the publisher retries the ENT, the gateway's health is the services' health), and
// starting them one after the other would add up their start-up times.
var conventions = builder.AddPartnershipService<Projects.Ent_Partnership_Conventions>("conventions")
    .WithSampleData(builder, "Conventions")
    .WithReference(redis)
    .WaitFor(redis)
    .WithReference(parties);

// Obligations follow the conventions' events; the stream's consumer group catches up whenever it starts.
var obligations = builder.AddPartnershipService<Projects.Ent_Partnership_Obligations>("obligations")
    .WithSampleData(builder, "Evidence")
    .WithReference(redis)
    .WaitFor(redis)
    .WithReference(parties);
// A steering committee's waiver is checked against the obligation it names.
conventions.WithReference(obligations);

// Pushes to the ENT are signed under a secret shared with it. In Development the ENT sandbox stands in for
// it; anywhere else the ENT's address is a parameter the operator gives.
var entSecret = builder.AddParameter("ent-push-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
var communications = builder.AddPartnershipService<Projects.Ent_Partnership_Communications>("communications")
    .WithSampleData(builder, "Messages", "Elections")
    .WithEnvironment("Ent__Secret", entSecret)
    .WithReference(redis)
    .WaitFor(redis)
    .WithReference(parties);
if (builder.Environment.IsDevelopment())
{
    var entSandbox = builder.AddProject<Projects.Ent_Partnership_EntSandbox>("ent-sandbox", launchProfileName: null)
        .WithHttpEndpoint(port: builder.Configuration.GetValue<int?>("EntSandbox:Port"), name: "http")
        .WithEnvironment("DOTNET_ENVIRONMENT", environment)
        .WithEnvironment("Sandbox__Secret", entSecret)
        .WithHttpHealthCheck("/health");
    communications.WithEnvironment("Ent__BaseUrl", entSandbox.GetEndpoint("http")).WithReference(entSandbox);
}
else
{
    communications.WithEnvironment("Ent__BaseUrl", builder.AddParameter("ent-base-url"));
}

if (builder.Configuration["Publication:MaxAttempts"] is { } maxAttempts)
{
    communications.WithEnvironment("Publication__MaxAttempts", maxAttempts);
}

// Partners' systems are told of every event they may read through their webhooks; the notifications service
// reads every service's stream with its own consumer group, which catches up whenever it starts.
var notifications = builder.AddPartnershipService<Projects.Ent_Partnership_Notifications>("notifications")
    .WithReference(redis)
    .WaitFor(redis);
if (builder.Configuration["Webhooks:BaseDelay"] is { } webhookDelay)
{
    notifications.WithEnvironment("Webhooks__Dispatch__Retries__BaseDelay", webhookDelay);
}

// Persons sign in here (OpenID Connect); on localhost, like the console, so that cookies work over http.
var identityPort = builder.Configuration.GetValue("Identity:Port", 8082);
var identity = builder.AddFrontProject<Projects.Ent_Partnership_Identity>("identity", identityPort)
    .WithEnvironment("Identity__Seed", builder.AddTokenSeed("identity"));
if (!builder.Environment.IsDevelopment())
{
    // Outside Development persons sign in at the provider the operator names (ProConnect for public agents).
    identity
        .WithEnvironment("Identity__Upstream__Authority", builder.AddParameter("identity-upstream-authority"))
        .WithEnvironment("Identity__Upstream__ClientId", builder.AddParameter("identity-upstream-client-id"))
        .WithEnvironment("Identity__Upstream__ClientSecret", builder.AddParameter("identity-upstream-client-secret", secret: true));
}

var gatewayPort = builder.Configuration.GetValue("Gateway:Port", 8080);
var gateway = builder.AddFrontProject<Projects.Ent_Partnership_Gateway>("gateway", gatewayPort)
    .WithEnvironment("InternalToken__Seed", builder.AddTokenSeed("gateway"))
    // Persons call with the identity project's access tokens; the gateway reads its keys from its discovery document.
    .WithEnvironment("Gateway__Identity__Authority", identity.GetEndpoint("http"))
    .WithReference(parties)
    .WithReference(conventions)
    .WithReference(obligations)
    .WithReference(communications)
    .WithReference(notifications);

// The console: persons sign in at the identity project and call the gateway with their own token.
var consolePort = builder.Configuration.GetValue("Console:Port", 8081);
var console = builder.AddFrontProject<Projects.Ent_Partnership_Console>("console", consolePort)
    .WithEnvironment("Console__Identity", identity.GetEndpoint("http"))
    .WithEnvironment("Console__Gateway", gateway.GetEndpoint("http"));
identity
    .WithEnvironment("Identity__Clients__0__RedirectUris__0", ReferenceExpression.Create($"{console.GetEndpoint("http")}/signin-oidc"))
    .WithEnvironment("Identity__Clients__0__PostLogoutRedirectUris__0", ReferenceExpression.Create($"{console.GetEndpoint("http")}/signout-callback-oidc"));

// Each service takes the tokens the gateway makes for partners, and those of the services that call it.
parties.Trusting(gateway, conventions, obligations, communications);
conventions.Trusting(gateway);
obligations.Trusting(gateway, conventions);
communications.Trusting(gateway);
notifications.Trusting(gateway);

builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, (e, _) =>
{
    e.Services.GetRequiredService<ILogger<Program>>().LogInformation(
        "Gateway ready: http://localhost:{Port}; the console: http://localhost:{ConsolePort} (persons sign in at http://localhost:{IdentityPort})",
        gatewayPort, consolePort, identityPort);
    return Task.CompletedTask;
});

builder.Build().Run();
