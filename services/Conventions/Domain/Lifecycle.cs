using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Google.Protobuf.WellKnownTypes;
using static Ent.Partnership.Conventions.V1.Convention.Types;
using Condition = Ent.Partnership.ServiceDefaults.Errors.UnmetCondition;
using UnmetCondition = Ent.Partnership.Conventions.V1.UnmetCondition;

namespace Ent.Partnership.Conventions.Domain;

/// <summary>
/// The life of a convention: DRAFT → ADOPTION → SIGNATURE → SIGNED → IN_FORCE → EXPIRED, or TERMINATED.
/// Plain functions over a <see cref="ConventionFile"/>; they refuse with FAILED_PRECONDITION naming each
/// unmet condition, and change the convention in place when they accept.
/// </summary>
public static class Lifecycle
{
    public const string DeliberationMissing = "DELIBERATION_MISSING";
    public const string DeliberationRejected = "DELIBERATION_REJECTED";
    public const string SignatureMissing = "SIGNATURE_MISSING";
    public const string EffectiveDateNotReached = "EFFECTIVE_DATE_NOT_REACHED";
    public const string TransmissionMissing = "TRANSMISSION_MISSING";

    /// <summary>The state that comes next, and what it still needs.</summary>
    public static Readiness ReadinessOf(ConventionFile file, DateOnly today)
    {
        var convention = file.Convention;
        var readiness = new Readiness { State = convention.State, NextState = NextState(convention) };
        readiness.UnmetConditions.AddRange(Conditions(file, readiness.NextState, today));
        return readiness;
    }

    private static State NextState(Convention convention) => convention.State switch
    {
        State.Draft => State.Adoption,
        State.Adoption => State.Signature,
        State.Signature => State.Signed,
        State.Signed => State.InForce,
        State.InForce when convention.EndDate.Length > 0 => State.Expired,
        _ => State.Unspecified,
    };

    private static IEnumerable<UnmetCondition> Conditions(ConventionFile file, State next, DateOnly today)
    {
        var convention = file.Convention;
        switch (next)
        {
            case State.Adoption:
                foreach (var annex in convention.Annexes.Where(a => a.Kind == Annex.Types.Kind.UsageCharter && a.Charter is null))
                {
                    yield return Blocking("CHARTER_MISSING", convention.Name, $"L'annexe {annex.AnnexId} (charte d'usage) n'a pas encore ses paramètres.");
                }

                break;
            case State.Signature:
                foreach (var signatory in convention.Signatories.Where(s => s.RequiresDeliberation))
                {
                    var rejected = file.DecisionsFor(signatory.Party).FirstOrDefault(d => d.Outcome == Deliberation.Types.Outcome.Rejected);
                    if (rejected is not null)
                    {
                        yield return Blocking(DeliberationRejected, signatory.Party,
                            $"{signatory.Party} a rejeté la convention (délibération {rejected.Reference} du {rejected.Date}) : elle doit être rouverte.");
                    }
                    else if (file.AdoptedDecisionFor(signatory.Party) is null)
                    {
                        yield return Blocking(DeliberationMissing, signatory.Party, $"{signatory.Party} n'a pas encore adopté la convention par délibération.");
                    }
                }

                break;
            case State.Signed:
                foreach (var signatory in convention.Signatories.Where(s => file.SignatureFor(s.Party) is null))
                {
                    yield return Blocking(SignatureMissing, signatory.Party, $"{signatory.Party} n'a pas encore signé la convention.");
                    if (file.AdoptedDecisionFor(signatory.Party) is { PrefectureAcknowledgedOn.Length: 0 } decision)
                    {
                        yield return new UnmetCondition
                        {
                            Type = TransmissionMissing,
                            Subject = signatory.Party,
                            Description = $"La délibération {decision.Reference} de {signatory.Party} n'a pas d'accusé de réception de la préfecture : elle n'est pas encore exécutoire.",
                            Blocking = false,
                        };
                    }
                }

                break;
            case State.InForce when CivilDate.Parse(convention.EffectiveDate, "effectiveDate") > today:
                yield return Blocking(EffectiveDateNotReached, convention.Name, $"La convention n'entre en vigueur que le {convention.EffectiveDate}.");
                break;
            case State.Expired when CivilDate.Parse(convention.EndDate, "endDate") >= today:
                yield return Blocking("END_DATE_NOT_PASSED", convention.Name, $"La convention s'applique jusqu'au {convention.EndDate} inclus.");
                break;
        }
    }

    /// <summary>Freezes the text and its digest: DRAFT → ADOPTION (→ SIGNATURE when no one deliberates).</summary>
    public static void Submit(ConventionFile file, DateOnly today, Timestamp now)
    {
        var convention = file.Convention;
        RequireState(convention, State.Draft, "soumise");
        RefuseUnlessMet(ReadinessOf(file, today), "La convention ne peut pas encore être soumise.");
        convention.ContentDigest = ContentDigest.Of(convention);
        Enter(convention, State.Adoption, now, "");
        Advance(file, today, now);
    }

    /// <summary>ADOPTION or SIGNATURE → DRAFT; what was collected is superseded, and kept.</summary>
    public static void Reopen(ConventionFile file, string reason, Timestamp now)
    {
        var convention = file.Convention;
        if (convention.State is not (State.Adoption or State.Signature))
        {
            throw WrongState(convention, "rouverte", State.Adoption, State.Signature);
        }

        foreach (var deliberation in file.Deliberations)
        {
            deliberation.Superseded = true;
        }

        foreach (var signature in file.Signatures)
        {
            signature.Superseded = true;
        }

        convention.ContentDigest = "";
        Enter(convention, State.Draft, now, reason);
    }

    /// <summary>Ends at once what has not ended yet (an amendment given up).</summary>
    public static void Terminate(Convention convention, string reason, Timestamp now)
    {
        RefuseEnded(convention);
        Enter(convention, State.Terminated, now, reason);
    }

    /// <summary>
    /// <c>:terminate</c> on <paramref name="today"/>: dated today, the convention ends at once; in SIGNED or
    /// IN_FORCE a later date is scheduled (replacing one scheduled before) and the clock ends it on that day.
    /// Either way <c>termination</c> tells when and why. Returns whether it ended at once.
    /// </summary>
    public static bool Terminate(Convention convention, string reason, DateOnly date, DateOnly today, Timestamp now)
    {
        RefuseEnded(convention);
        if (date < today)
        {
            throw new InvalidArgumentException("effectiveDate", $"Une résiliation ne s'antidate pas : le {date.ToText()} est passé.");
        }

        if (CivilDate.ParseOptional(convention.EndDate, "endDate") is { } end && date > end)
        {
            throw new FailedPreconditionException("AFTER_END_DATE", convention.Name,
                $"La convention prend fin le {convention.EndDate} : elle ne peut pas être résiliée au {date.ToText()}.");
        }

        if (date > today && convention.State is not (State.Signed or State.InForce))
        {
            throw new InvalidArgumentException("effectiveDate",
                $"Une convention {ProtoEnum.Name(convention.State)} se résilie à la date du jour ({today.ToText()}) : seule une convention signée ou en vigueur peut l'être à une date future.");
        }

        convention.Termination = new Termination { EffectiveDate = date.ToText(), Reason = reason };
        if (date > today)
        {
            return false;
        }

        Enter(convention, State.Terminated, now, reason);
        return true;
    }

    /// <summary>Removes a scheduled termination.</summary>
    public static void CancelTermination(Convention convention)
    {
        if (convention.Termination is null || convention.State is State.Terminated)
        {
            throw new FailedPreconditionException("NO_TERMINATION_SCHEDULED", convention.Name, "Aucune résiliation n'est programmée pour cette convention.");
        }

        convention.Termination = null;
    }

    private static void RefuseEnded(Convention convention)
    {
        if (convention.State is State.Expired or State.Terminated)
        {
            throw WrongState(convention, "résiliée", State.Draft, State.Adoption, State.Signature, State.Signed, State.InForce);
        }
    }

    /// <summary>Checks a deliberation against the rules of the adoption, before it is recorded.</summary>
    public static void CheckDeliberation(ConventionFile file, Deliberation deliberation, DateOnly today)
    {
        var convention = file.Convention;
        var opinion = deliberation.Stage == Deliberation.Types.Stage.CommissionOpinion;
        if (opinion)
        {
            // An opinion given before the decision may be entered late: it changes no state.
            if (convention.State is not (State.Adoption or State.Signature or State.Signed or State.InForce))
            {
                throw WrongState(convention, "délibérée", State.Adoption, State.Signature, State.Signed, State.InForce);
            }
        }
        else
        {
            RequireState(convention, State.Adoption, "délibérée");
        }

        var slots = file.SlotsOf(deliberation.Party).Where(s => s.RequiresDeliberation).ToList();
        if (slots.Count == 0)
        {
            throw new FailedPreconditionException("NOT_A_DELIBERATING_SIGNATORY", deliberation.Party,
                $"{deliberation.Party} n'est pas un signataire de la convention qui délibère.");
        }

        CheckDigest(convention, deliberation.ContentDigest);
        CheckVotes(deliberation);
        var date = CivilDate.Parse(deliberation.Date, "date");
        foreach (var slot in slots)
        {
            var decisions = file.DecisionsFor(slot.Party).ToList();
            if (opinion)
            {
                if (decisions.FirstOrDefault(d => CivilDate.Parse(d.Date, "date") < date) is { } earlier)
                {
                    throw new FailedPreconditionException("DATES_OUT_OF_ORDER", slot.Party,
                        $"L'avis de la commission ({deliberation.Date}) ne peut pas suivre la décision ({earlier.Date}).");
                }

                continue;
            }

            if (decisions.FirstOrDefault(d => d.Outcome == Deliberation.Types.Outcome.Rejected) is { } rejected)
            {
                throw new FailedPreconditionException(DeliberationRejected, slot.Party,
                    $"{slot.Party} a rejeté la convention (délibération {rejected.Reference}) : elle doit être rouverte.");
            }

            if (decisions.Count > 0)
            {
                throw new AlreadyExistsException(decisions[0].Name, $"{slot.Party} a déjà adopté la convention (délibération {decisions[0].Reference}).");
            }

            if (file.OpinionsFor(slot.Party).FirstOrDefault(o => CivilDate.Parse(o.Date, "date") > date) is { } later)
            {
                throw new FailedPreconditionException("DATES_OUT_OF_ORDER", slot.Party,
                    $"La décision ({deliberation.Date}) ne peut pas précéder l'avis de la commission ({later.Date}).");
            }
        }
    }

    /// <summary>A decision ADOPTED has more votes for than against, when the votes are given; REJECTED the reverse.</summary>
    private static void CheckVotes(Deliberation deliberation)
    {
        if (deliberation is not { Stage: Deliberation.Types.Stage.Decision, Votes: { } votes })
        {
            return;
        }

        var outcome = deliberation.Outcome;
        if (outcome == Deliberation.Types.Outcome.Adopted && votes.For <= votes.Against
            || outcome == Deliberation.Types.Outcome.Rejected && votes.Against <= votes.For)
        {
            throw new InvalidArgumentException("votes",
                $"Une décision {ProtoEnum.Name(outcome)} ne peut pas compter {votes.For} voix pour et {votes.Against} contre.");
        }
    }

    /// <summary>Checks a signature against the rules of the signature, before it is recorded.</summary>
    public static void CheckSignature(ConventionFile file, Signature signature, DateOnly today)
    {
        var convention = file.Convention;
        RequireState(convention, State.Signature, "signée");
        var slots = file.SlotsOf(signature.Party);
        if (slots.Count == 0)
        {
            throw new FailedPreconditionException("NOT_A_SIGNATORY", signature.Party, $"{signature.Party} n'est pas signataire de la convention.");
        }

        if (file.Signatures.FirstOrDefault(s => !s.Superseded && s.Party == signature.Party) is { } existing)
        {
            throw new AlreadyExistsException(existing.Name, $"{signature.Party} a déjà signé la convention le {existing.SignedOn}.");
        }

        CheckDigest(convention, signature.ContentDigest);
        var signedOn = CivilDate.Parse(signature.SignedOn, "signedOn");
        var unmet = new List<Condition>();
        foreach (var slot in slots.Where(s => s.RequiresDeliberation))
        {
            var decision = file.AdoptedDecisionFor(slot.Party);
            if (decision is null)
            {
                unmet.Add(new(DeliberationMissing, slot.Party, $"{slot.Party} doit adopter la convention par délibération avant de la signer."));
            }
            else if (CivilDate.Parse(decision.Date, "date") > signedOn)
            {
                unmet.Add(new("DATES_OUT_OF_ORDER", slot.Party, $"La signature ({signature.SignedOn}) ne peut pas précéder la décision ({decision.Date})."));
            }
        }

        if (unmet.Count > 0)
        {
            throw new FailedPreconditionException(unmet[0].Description, unmet);
        }
    }

    /// <summary>
    /// Moves the convention on for as long as its next state has no blocking condition (adopted → signature,
    /// signed → in force on its effective date, expired after its end date). Returns the states entered.
    /// </summary>
    public static List<State> Advance(ConventionFile file, DateOnly today, Timestamp now)
    {
        var entered = new List<State>();
        var convention = file.Convention;
        while (convention.State is State.Adoption or State.Signature or State.Signed or State.InForce)
        {
            var readiness = ReadinessOf(file, today);
            if (readiness.NextState == State.Unspecified || readiness.UnmetConditions.Any(c => c.Blocking))
            {
                break;
            }

            Enter(convention, readiness.NextState, now, "");
            entered.Add(readiness.NextState);
        }

        // A scheduled termination takes effect on its day (after the moves that day, e.g. coming into force).
        if (convention is { State: State.Signed or State.InForce, Termination: { } termination }
            && CivilDate.Parse(termination.EffectiveDate, "termination.effectiveDate") <= today)
        {
            Enter(convention, State.Terminated, now, termination.Reason);
            entered.Add(State.Terminated);
        }

        return entered;
    }

    private static void Enter(Convention convention, State state, Timestamp now, string reason)
    {
        convention.State = state;
        convention.StateHistory.Add(new StateChange { State = state, Time = now, Reason = reason });
    }

    private static void CheckDigest(Convention convention, string digest)
    {
        if (digest.Length > 0 && digest != convention.ContentDigest)
        {
            throw new FailedPreconditionException("DIGEST_MISMATCH", convention.Name,
                $"L'empreinte {digest} n'est pas celle du texte soumis ({convention.ContentDigest}).");
        }
    }

    private static void RequireState(Convention convention, State state, string verb)
    {
        if (convention.State != state)
        {
            throw WrongState(convention, verb, state);
        }
    }

    private static FailedPreconditionException WrongState(Convention convention, string verb, params State[] allowed) =>
        new("WRONG_STATE", convention.Name,
            $"La convention est {ProtoEnum.Name(convention.State)} ; elle ne peut être {verb} qu'en {string.Join(" ou ", allowed.Select(s => ProtoEnum.Name(s)))}.");

    private static void RefuseUnlessMet(Readiness readiness, string message)
    {
        var blocking = readiness.UnmetConditions.Where(c => c.Blocking).ToList();
        if (blocking.Count > 0)
        {
            throw new FailedPreconditionException(message, blocking.Select(c => new Condition(c.Type, c.Subject, c.Description)).ToList());
        }
    }

    private static UnmetCondition Blocking(string type, string subject, string description) =>
        new() { Type = type, Subject = subject, Description = description, Blocking = true };
}
