using Ent.Partnership.Identity;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIdentityServer();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIdentity();
app.Run();

/// <summary>The entry point, visible to in-memory tests.</summary>
public partial class Program;
