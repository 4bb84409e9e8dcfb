using System.Security.Claims;
using Ent.Partnership.ServiceDefaults.Errors;
using Grpc.Core;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>Who is calling: a partner's party and roles (from its API key), or another service (<see cref="Service"/>).</summary>
public sealed record Caller(string? Party, IReadOnlySet<string> Roles, string? Service)
{
    public bool IsAdmin => Roles.Contains(RoleNames.Admin);

    public bool IsService => Service is not null;

    public bool IsInRole(string role) => Roles.Contains(role);

    /// <summary>Refuses the call unless the caller is an admin: another service's identity never is one.</summary>
    public void RequireAdmin(string action)
    {
        if (!IsAdmin)
        {
            throw new PermissionDeniedException($"Seul un administrateur peut {action}.");
        }
    }

    /// <summary>The caller a token names: a service's own identity is that service only, never a party or an admin.</summary>
    public static Caller From(ClaimsPrincipal principal) => principal.FindFirstValue(InternalToken.ServiceClaim) is { } service
        ? new(null, new HashSet<string> { RoleNames.Service }, service)
        : new(
            principal.FindFirstValue(InternalToken.PartyClaim),
            principal.FindAll(InternalToken.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
            null);

    /// <summary>
    /// The service itself, in its own process (its loaders of reference and sample data): an administrator of
    /// its own data, named <paramref name="name"/>. Never made from a token.
    /// </summary>
    public static Caller Internal(string name) => new(null, new HashSet<string> { RoleNames.Admin }, name);
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
