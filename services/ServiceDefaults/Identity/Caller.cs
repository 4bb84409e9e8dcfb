using System.Security.Claims;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>Who is calling: a partner's party and roles (from its API key), or another service.</summary>
public sealed record Caller(string? Party, IReadOnlySet<string> Roles, string? Service)
{
    public bool IsAdmin => Roles.Contains(RoleNames.Admin);

    public bool IsService => Service is not null;

    public bool IsInRole(string role) => Roles.Contains(role);

    /// <summary>Refuses the call unless the caller is an admin (or another service acting for the suite).</summary>
    public void RequireAdmin(string action)
    {
        if (!IsAdmin && !IsService)
        {
            throw new PermissionDeniedException($"Seul un administrateur peut {action}.");
        }
    }

    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(InternalToken.PartyClaim),
        principal.FindAll(InternalToken.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
        principal.FindFirstValue(InternalToken.ServiceClaim));
}

/// <summary>The roles of SPEC section 8.</summary>
public static class RoleNames
{
    public const string Admin = "admin";
    public const string Collectivity = "collectivity";
    public const string Academic = "academic";
    public const string EntProvider = "ent-provider";
    public const string Observer = "observer";
    public const string Service = "service";
}

public static class CallerExtensions
{
    /// <summary>The caller of this RPC, as the internal token says.</summary>
    public static Caller GetCaller(this ServerCallContext context) =>
        Caller.From(context.GetHttpContext().User);
}
