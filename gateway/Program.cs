using Ent.Partnership.Gateway;

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
app.Run();

/// <summary>The entry point, visible to in-memory tests.</summary>
public partial class Program;
