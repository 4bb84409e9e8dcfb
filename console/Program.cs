using Ent.Partnership.Console;
using Ent.Partnership.Console.Components;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddConsoleSignIn();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddCascadingAuthenticationState();
builder.Services.AddMudServices();
builder.Services.AddScoped<PartyNames>();
builder.Services.AddHttpClient<GatewayClient>(client => client.BaseAddress = new Uri(builder.Configuration["Console:Gateway"]
    ?? throw new InvalidOperationException("Console:Gateway is not configured; the AppHost provides it.")));

var app = builder.Build();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/erreur", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/introuvable");
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapDefaultEndpoints();
app.MapSignIn();
app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.Run();

/// <summary>The entry point, visible to in-memory tests.</summary>
public partial class Program;
