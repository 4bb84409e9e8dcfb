using Ent.Partnership.Notifications.Storage;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;

namespace Ent.Partnership.Notifications.Application;

/// <summary>Who calls about webhooks: the caller (for roles) and the owner its webhooks belong to.</summary>
public sealed record Requester(Caller Caller, string Owner)
{
    /// <summary>A webhook belongs to its creator's party if it has one, else to its key or person (SPEC section 12).</summary>
    public static Requester Of(Caller caller, Actor? actor) =>
        new(caller, caller.Party ?? actor?.Subject ?? throw new PermissionDeniedException("Cet appel ne dit pas qui le fait : un webhook doit avoir un propriétaire."));

    public bool Owns(StoredWebhook webhook) => Caller.IsAdmin || webhook.Webhook.Owner == Owner;
}

/// <summary>Whether an event's readers include a webhook's owner, as it was at its last call about the webhook.</summary>
public static class Owners
{
    public static bool MayRead(StoredWebhook webhook, Readers readers) =>
        readers.Admit(new Caller(webhook.OwnerParty.Length > 0 ? webhook.OwnerParty : null, webhook.OwnerRoles.ToHashSet(StringComparer.Ordinal), null));
}
