using Ent.Partnership.Conventions.V1;
using Ent.Partnership.Parties.Client;
using Ent.Partnership.Parties.V1;

namespace Ent.Partnership.Conventions.Domain;

/// <summary>
/// A convention with its deliberations and signatures (superseded ones included), and each signatory's
/// successions as the parties service gives them: all the life-cycle rules need.
/// </summary>
public sealed record ConventionFile(
    Convention Convention,
    IReadOnlyList<Deliberation> Deliberations,
    IReadOnlyList<Signature> Signatures,
    IReadOnlyDictionary<string, Succession> Successions)
{
    /// <summary>Who holds a signatory's seat on <paramref name="day"/>: the signatory, or its successor from the succession on.</summary>
    public string ActorOn(string signatory, DateOnly day) =>
        Successions.TryGetValue(signatory, out var succession) ? succession.HolderOn(day) : signatory;

    /// <summary>
    /// Whether <paramref name="actor"/> acts for <paramref name="signatory"/>: it is the signatory or its
    /// successor (through any number of successions), as the CeA for the Bas-Rhin and the Haut-Rhin.
    /// </summary>
    public bool ActsFor(string actor, string signatory) =>
        actor == signatory || Successions.TryGetValue(signatory, out var succession) && succession.PassesTo(actor);

    /// <summary>The signatories <paramref name="actor"/> acts for: a successor takes every predecessor's place.</summary>
    public IReadOnlyList<Signatory> SlotsOf(string actor) =>
        Convention.Signatories.Where(s => ActsFor(actor, s.Party)).ToList();

    /// <summary>The decisions that count for a signatory: not superseded, made by it or by its successor.</summary>
    public IEnumerable<Deliberation> DecisionsFor(string signatory) =>
        Deliberations.Where(d => !d.Superseded && d.Stage == Deliberation.Types.Stage.Decision && ActsFor(d.Party, signatory));

    public IEnumerable<Deliberation> OpinionsFor(string signatory) =>
        Deliberations.Where(d => !d.Superseded && d.Stage == Deliberation.Types.Stage.CommissionOpinion && ActsFor(d.Party, signatory));

    public Deliberation? AdoptedDecisionFor(string signatory) =>
        DecisionsFor(signatory).FirstOrDefault(d => d.Outcome == Deliberation.Types.Outcome.Adopted);

    public Signature? SignatureFor(string signatory) =>
        Signatures.FirstOrDefault(s => !s.Superseded && ActsFor(s.Party, signatory));
}
