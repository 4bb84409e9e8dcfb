using Ent.Partnership.Notifications;

var builder = WebApplication.CreateBuilder(args);
builder.AddApplicationServices();

var app = builder.Build();
app.MapApplication();
app.Run();

/// <summary>The entry point, visible to in-memory tests.</summary>
public partial class Program;
