using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Domain;

/// <summary>
/// Who may read, write and review a message: collectivities draft for themselves, the issuer alone changes
/// its message, the académies it names review it, and who reads it follows its state.
/// </summary>
public static class MessageAccess
{
    /// <summary>
    /// Who may read a message: everyone once approved (or published urgently); before, its issuer and admins,
    /// and its reviewers once submitted. Its reads and its events' readers both come from here.
    /// </summary>
    public static Readers ReadersOf(Communication message) =>
        message.ApproveTime is not null || message.PublicationStartTime is not null
            ? Readers.Everyone
            : Readers.Only(message.State == State.Draft ? [message.Issuer] : [message.Issuer, .. message.Reviewers], []);

    /// <summary>The parties a caller reviews a message for: its own party, or every reviewer for an admin.</summary>
    public static IReadOnlyList<string> ReviewersActing(Caller caller, Communication message)
    {
        if (caller.IsAdmin)
        {
            return message.Reviewers;
        }

        return caller.Party is not null && message.Reviewers.Contains(caller.Party) && caller.IsInRole(RoleNames.Academic)
            ? [caller.Party]
            : throw new PermissionDeniedException(message.Reviewers.Count == 0
                ? "Ce message n'a pas été soumis : il n'a pas encore de relecteurs."
                : $"Seuls les relecteurs du message ({string.Join(", ", message.Reviewers)}) le valident.");
    }

    /// <summary>The reviewers who have not approved since the last submission.</summary>
    public static IReadOnlyList<string> PendingReviewers(Communication message) =>
        message.Reviewers.Where(r => !message.Reviews.Any(v =>
            v.Reviewer == r && v.Decision == Review.Types.Decision.Approved && v.Time >= message.SubmitTime)).ToList();

    /// <summary>Only collectivities (and admins) draft messages.</summary>
    public static void RequireDrafter(Caller caller)
    {
        if (!caller.IsAdmin && !(caller.IsInRole(RoleNames.Collectivity) && caller.Party is not null))
        {
            throw new PermissionDeniedException("Seules les collectivités rédigent des messages.");
        }
    }

    /// <summary>The issuer of a message drafted by <paramref name="caller"/>: itself, or whom an admin names.</summary>
    public static string IssuerFor(Caller caller, string issuer)
    {
        if (caller.IsAdmin)
        {
            return issuer.Length > 0 ? issuer : throw new InvalidArgumentException("issuer", "L'émetteur est obligatoire.");
        }

        return issuer.Length == 0 || issuer == caller.Party
            ? caller.Party!
            : throw new PermissionDeniedException($"{caller.Party} ne parle qu'en son nom, pas au nom de {issuer}.");
    }

    /// <summary>Only the issuer (or an admin) changes, submits, withdraws or deletes its message.</summary>
    public static void RequireIssuer(Caller caller, Communication message, string action)
    {
        if (!caller.IsAdmin && caller.Party != message.Issuer)
        {
            throw new PermissionDeniedException($"Seul l'émetteur peut {action}.");
        }
    }
}
