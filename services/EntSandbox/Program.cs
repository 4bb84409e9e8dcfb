using Ent.Partnership.EntSandbox;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddSingleton(builder.Configuration.GetSection("Sandbox").Get<SandboxSettings>() ?? new SandboxSettings());
builder.Services.AddSingleton<NewsBoard>();
builder.Services.AddSingleton<WebhookInbox>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapSandbox();
WebhookInbox.Map(app);
app.Run();

/// <summary>The entry point, visible to in-memory tests.</summary>
public partial class Program;
