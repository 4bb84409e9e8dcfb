using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ent.Partnership.ServiceDefaults.Identity;

/// <summary>
/// Who made a change, as its event says: the caller's party (none for admins, observers and services) and
/// subject (<c>key:&lt;id&gt;</c>, <c>person:&lt;subject&gt;</c> or <c>service:&lt;name&gt;</c>).
/// </summary>
public sealed record Actor(string? Party, string Subject)
{
    /// <summary>The actor of a call, as the internal token names it; null for a token without a subject.</summary>
    public static Actor? Of(ClaimsPrincipal principal) =>
        principal.FindFirstValue(JwtRegisteredClaimNames.Sub) is { Length: > 0 } subject
            ? new Actor(principal.FindFirstValue(InternalToken.PartyClaim), subject)
            : null;

    public static Actor Service(string name) => new(null, "service:" + name);
}

/// <summary>
/// On whose behalf the code running now acts: the caller of the request being served, or, while an event is
/// handled, the service itself with the event that caused the change (and that event's actor, the original
/// one). Flows with the async context, as <see cref="System.Diagnostics.Activity.Current"/> does; where no one
/// is set (a clock, a start-up step), the service acts on its own.
/// </summary>
public sealed record Acting(Actor? Actor, string? CausationId, Actor? Origin)
{
    private static readonly AsyncLocal<Acting?> Ambient = new();

    public static Acting? Current => Ambient.Value;

    /// <summary>Acts as <paramref name="acting"/> until the returned scope is disposed.</summary>
    public static IDisposable Begin(Acting acting)
    {
        var previous = Ambient.Value;
        Ambient.Value = acting;
        return new Scope(previous);
    }

    private sealed class Scope(Acting? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
