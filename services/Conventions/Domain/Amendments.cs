using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Domain;

/// <summary>
/// Amendments follow the convention's own path (adoption by deliberation, then signatures, with the same
/// rules): <see cref="AsConvention"/> lets <see cref="Lifecycle"/> carry them. When the last party signs, the
/// changes are applied to the convention, whose revision goes up by one.
/// </summary>
public static class Amendments
{
    /// <summary>Far enough that an amendment, once signed, stops at SIGNED: it is then applied, not put in force.</summary>
    private const string NoEffectiveDate = "9999-12-31";

    /// <summary>
    /// The amendment as a convention for the life-cycle rules: signed by the convention's signatories and
    /// those it adds; its annexes are the ones it changes (a charter among them must have its parameters).
    /// </summary>
    public static Convention AsConvention(Amendment amendment, Convention convention)
    {
        var view = new Convention
        {
            Name = amendment.Name,
            Title = amendment.Title,
            State = amendment.State switch
            {
                Amendment.Types.State.Draft => State.Draft,
                Amendment.Types.State.Adoption => State.Adoption,
                Amendment.Types.State.Signature => State.Signature,
                Amendment.Types.State.Signed => State.Signed,
                Amendment.Types.State.Applied => State.InForce,
                _ => State.Terminated,
            },
            ContentDigest = amendment.ContentDigest,
            EffectiveDate = NoEffectiveDate,
        };
        view.Signatories.AddRange(convention.Signatories);
        view.Signatories.AddRange(amendment.Changes?.AddSignatories ?? []);
        view.Annexes.AddRange(amendment.Changes?.UpsertAnnexes ?? []);
        return view;
    }

    /// <summary>Brings the life cycle's verdict back: the amendment's state, and its digest once frozen.</summary>
    public static void TakeState(Amendment amendment, Convention view)
    {
        amendment.State = view.State switch
        {
            State.Draft => Amendment.Types.State.Draft,
            State.Adoption => Amendment.Types.State.Adoption,
            State.Signature => Amendment.Types.State.Signature,
            State.Signed => Amendment.Types.State.Signed,
            State.InForce => Amendment.Types.State.Applied,
            _ => Amendment.Types.State.Abandoned,
        };
        amendment.ContentDigest = view.ContentDigest.Length == 0 ? "" : Digest(amendment);
        view.ContentDigest = amendment.ContentDigest;
    }

    /// <summary>SHA-256, hex, of the protobuf encoding of the amendment's title, purpose and changes.</summary>
    public static string Digest(Amendment amendment) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Google.Protobuf.MessageExtensions.ToByteArray(new Amendment
        {
            Title = amendment.Title,
            Purpose = amendment.Purpose,
            Changes = amendment.Changes,
        })));

    /// <summary>
    /// The day a signed amendment applies: its effective date, by default and at the earliest the day its last
    /// signature is recorded.
    /// </summary>
    public static DateOnly EffectiveOn(Amendment amendment, DateOnly signedOn) =>
        CivilDate.ParseOptional(amendment.EffectiveDate, "effectiveDate") is { } day && day > signedOn ? day : signedOn;

    /// <summary>
    /// Checks a new or corrected amendment on <paramref name="today"/>: only for a convention IN_FORCE, an
    /// effective date neither past nor after the convention's end, and its result must be a valid convention.
    /// </summary>
    public static void CheckNew(Convention convention, Amendment amendment, DateOnly today)
    {
        if (convention.State != State.InForce)
        {
            throw new FailedPreconditionException("WRONG_STATE", convention.Name,
                "Une convention ne se modifie par avenant qu'en vigueur (IN_FORCE).");
        }

        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(amendment.Title))
        {
            violations.Add(new("title", "Le titre de l'avenant est obligatoire."));
        }

        if (amendment.EffectiveDate.Length > 0)
        {
            if (!CivilDate.TryParse(amendment.EffectiveDate, out var effective))
            {
                violations.Add(new("effectiveDate", $"« {amendment.EffectiveDate} » n'est pas une date AAAA-MM-JJ valide."));
            }
            else if (effective < today)
            {
                violations.Add(new("effectiveDate", $"Un avenant ne s'applique pas avant aujourd'hui ({today.ToText()})."));
            }
            else if (CivilDate.TryParse(convention.EndDate, out var end) && effective > end)
            {
                violations.Add(new("effectiveDate", $"La convention prend fin le {convention.EndDate} : l'avenant ne peut s'appliquer après."));
            }
        }

        if (amendment.Changes is null)
        {
            violations.Add(new("changes", "Un avenant change quelque chose à la convention."));
        }
        else
        {
            var preview = convention.Clone();
            Apply(preview, amendment, Timestamp.FromDateTime(DateTime.UnixEpoch));
            violations.AddRange(ConventionRules.Check(preview).Select(v => v with { Field = "changes (" + v.Field + ")" }));
            violations.AddRange(amendment.Changes.RemoveArticleNumbers
                .Where(n => convention.Articles.All(a => a.Number != n))
                .Select(n => new FieldViolation("changes.removeArticleNumbers", $"La convention n'a pas d'article {n}.")));
            violations.AddRange(amendment.Changes.RemoveSignatories
                .Where(p => convention.Signatories.All(s => s.Party != p))
                .Select(p => new FieldViolation("changes.removeSignatories", $"{p} n'est pas signataire de la convention.")));
        }

        if (violations.Count > 0)
        {
            throw new InvalidArgumentException(violations);
        }
    }

    /// <summary>
    /// Applies the changes: articles and annexes replaced by number and id or added, removals, signatories,
    /// end date; revision + 1 and a new digest. A changed charter annex loses its validation.
    /// </summary>
    public static ConventionAmended Apply(Convention convention, Amendment amendment, Timestamp now)
    {
        var changes = amendment.Changes;
        var amended = new ConventionAmended { Amendment = amendment.Name };
        var clausesBefore = ClausesById(convention);
        foreach (var article in changes.UpsertArticles)
        {
            Upsert(convention.Articles, article, a => a.Number == article.Number);
            amended.ChangedArticles.Add(article.Number);
        }

        foreach (var number in changes.RemoveArticleNumbers)
        {
            RemoveWhere(convention.Articles, a => a.Number == number);
            amended.RemovedArticles.Add(number);
        }

        foreach (var annex in changes.UpsertAnnexes)
        {
            Upsert(convention.Annexes, annex, a => a.AnnexId == annex.AnnexId);
            amended.ChangedAnnexes.Add(annex.AnnexId);
        }

        foreach (var signatory in changes.AddSignatories.Where(s => convention.Signatories.All(c => c.Party != s.Party)))
        {
            convention.Signatories.Add(signatory);
            amended.AddedSignatories.Add(signatory.Party);
        }

        foreach (var party in changes.RemoveSignatories)
        {
            RemoveWhere(convention.Signatories, s => s.Party == party);
            amended.RemovedSignatories.Add(party);
        }

        if (changes.NewEndDate.Length > 0)
        {
            convention.EndDate = changes.NewEndDate;
        }

        var clausesAfter = ClausesById(convention);
        amended.ChangedClauses.AddRange(clausesBefore.Keys.Union(clausesAfter.Keys)
            .Where(id => !clausesBefore.TryGetValue(id, out var before) || !clausesAfter.TryGetValue(id, out var after) || !before.Equals(after))
            .Order(StringComparer.Ordinal));
        convention.Revision++;
        convention.ContentDigest = ContentDigest.Of(convention);
        convention.UpdateTime = now;
        amended.CharterValidationCleared = ClearStaleCharterValidation(convention);

        amended.Convention = convention;
        return amended;
    }

    /// <summary>
    /// A charter validation is bound to its annex's digest: when the annex changed or went, the validation is
    /// cleared until a new decision. Returns whether it was.
    /// </summary>
    public static bool ClearStaleCharterValidation(Convention convention)
    {
        if (convention.CharterStatus is { } status
            && convention.Annexes.FirstOrDefault(a => a.AnnexId == status.AnnexId) is var annexNow
            && (annexNow is null || ContentDigest.Of(annexNow) != status.AnnexDigest))
        {
            convention.CharterStatus = null;
            return true;
        }

        return false;
    }

    private static Dictionary<string, Clause> ClausesById(Convention convention) =>
        convention.Articles.SelectMany(a => a.Clauses).ToDictionary(IdOf, c => c);

    private static string IdOf(Clause clause) => clause.ClauseCase switch
    {
        Clause.ClauseOneofCase.Obligation => clause.Obligation.ClauseId,
        Clause.ClauseOneofCase.CommunicationRight => clause.CommunicationRight.ClauseId,
        _ => clause.Governance?.ClauseId ?? "",
    };

    private static void Upsert<T>(Google.Protobuf.Collections.RepeatedField<T> items, T item, Func<T, bool> same)
    {
        var index = items.ToList().FindIndex(i => same(i));
        if (index < 0)
        {
            items.Add(item);
        }
        else
        {
            items[index] = item;
        }
    }

    private static void RemoveWhere<T>(Google.Protobuf.Collections.RepeatedField<T> items, Func<T, bool> match)
    {
        foreach (var item in items.Where(match).ToList())
        {
            items.Remove(item);
        }
    }
}
