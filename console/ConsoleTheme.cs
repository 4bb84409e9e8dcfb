using MudBlazor;

namespace Ent.Partnership.Console;

/// <summary>The component library's colours, those of the console's own styles: contrast for RGAA.</summary>
public static class ConsoleTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#000091",
            Success = "#18753c",
            Warning = "#b34000",
            Error = "#ce0500",
            Info = "#0063cb",
            TextPrimary = "#161616",
            TextSecondary = "#3a3a3a",
        },
        Typography = new Typography { Default = new DefaultTypography { FontFamily = ["system-ui", "sans-serif"] } },
    };
}
