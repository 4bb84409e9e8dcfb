using Ent.Partnership.Communications.Domain;
using Ent.Partnership.Communications.Storage;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.Storage;
using Google.Protobuf.WellKnownTypes;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Application;

/// <summary>What a check found, and what it resolved on the way: the convention, the schools, the reviewers, the reach.</summary>
public sealed record CheckResult(Verdict Verdict, string Convention, IReadOnlyList<ResolvedSchool> Schools, IReadOnlyList<string> Reviewers, Reach Reach)
{
    public bool Blocked => Verdict.Outcome == Verdict.Types.Outcome.Fail;

    /// <summary>Copies what the check resolved into the message.</summary>
    public void ApplyTo(Communication message)
    {
        message.Verdict = Verdict;
        message.Convention = Convention;
        message.ResolvedSchools.Clear();
        message.ResolvedSchools.AddRange(Schools.Select(s => s.Party.Name));
        message.Reviewers.Clear();
        message.Reviewers.AddRange(Reviewers);
        message.EstimatedReach = Reach;
    }
}

/// <summary>
/// Runs the usage charter over a message: finds the convention and its validated charter, resolves the
/// targets on the publication date, gathers the issuer's other messages and the elections, and lets the
/// domain rules judge.
/// </summary>
public sealed class CharterCheck(CommunicationRepository repository, MessageParties directory, TimeProvider time)
{
    private static readonly State[] Counted = [State.Approved, State.Published, State.Withdrawn];

    /// <summary>When a message would be published if it were approved now.</summary>
    public DateTimeOffset PublicationTimeOf(Communication message)
    {
        var now = time.GetUtcNow();
        return message.PublishTime is { } publish && publish.ToDateTimeOffset() > now ? publish.ToDateTimeOffset() : now;
    }

    public async Task<CheckResult> RunAsync(Communication message)
    {
        var publishAt = PublicationTimeOf(message);
        var date = CivilDate.Of(publishAt);
        var findings = new List<CharterFinding>();
        var (convention, charter) = await ConventionOfAsync(message.Issuer, message.Convention, date, findings);
        var schools = await directory.ResolveAsync(message.Issuer, message.Targets ?? new Targets(), date);
        var targets = schools.Select(s => s.Target).ToList();
        findings.AddRange(ContextRules.CheckScope(message.Issuer, targets));
        if (charter is not null)
        {
            var domainCharter = ToDomain(charter.Charter);
            var draft = ToDraft(message, publishAt);
            findings.AddRange(CharterEngine.Check(draft, domainCharter));
            findings.AddRange(ContextRules.CheckFrequency(publishAt, targets, await CountedMessagesAsync(message), domainCharter.MaxMessagesPerSchoolPer30Days));
            findings.AddRange(ContextRules.CheckElectoralReserve(draft, domainCharter, await ElectionsConcerningAsync(message.Issuer)));
        }

        var verdict = new Verdict
        {
            Outcome = findings.Any(f => f.Severity == Severity.Block) ? Verdict.Types.Outcome.Fail
                : findings.Any(f => f.Severity == Severity.Warn) ? Verdict.Types.Outcome.Warn
                : Verdict.Types.Outcome.Pass,
            CharterRevision = charter?.Revision ?? 0,
            EvaluatedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Findings = { findings.Select(ToProto) },
        };
        var inScope = schools.Where(s => s.Target.CompetentAuthority == message.Issuer).ToList();
        var reach = new Reach { Schools = inScope.Count, Pupils = inScope.Sum(s => s.Party.PupilCount) };
        var reviewers = verdict.Outcome == Verdict.Types.Outcome.Fail ? [] : await directory.ReviewersOfAsync(inScope.Select(s => s.Party));
        return new CheckResult(verdict, convention?.Name ?? message.Convention, inScope, reviewers, reach);
    }

    /// <summary>The convention a message without one falls under, or empty when there is none yet (the check will say so).</summary>
    public async Task<string> DefaultConventionAsync(Communication message) =>
        (await ConventionOfAsync(message.Issuer, "", CivilDate.Of(PublicationTimeOf(message)), [])).Convention?.Name ?? "";

    /// <summary>
    /// The convention whose charter governs the message: the one named, or the one convention in force where
    /// the issuer holds a communication right with a validated charter. CH-CONVENTION when there is none.
    /// </summary>
    private async Task<(Convention? Convention, CharterValidated? Charter)> ConventionOfAsync(string issuer, string named, DateOnly date, List<CharterFinding> findings)
    {
        var holding = new List<(Convention, CharterValidated)>();
        foreach (var convention in (await repository.ConventionsAsync()).Where(c => named.Length == 0 || c.Name == named))
        {
            if (convention.State == Convention.Types.State.InForce && await repository.CharterOfAsync(convention.Name) is { } charter
                && await HoldsRightAsync(issuer, convention, charter, date))
            {
                holding.Add((convention, charter));
            }
        }

        if (holding.Count > 1)
        {
            throw new InvalidArgumentException("convention",
                $"{issuer} a un droit de communication dans plusieurs conventions en vigueur ({string.Join(", ", holding.Select(h => h.Item1.Name))}) : nommez-en une.");
        }

        if (holding.Count == 0)
        {
            findings.Add(new("CH-CONVENTION", Severity.Block, "convention", named,
                named.Length == 0
                    ? $"{issuer} ne tient de droit de communication d'aucune convention en vigueur dont la charte d'usage est validée."
                    : $"{issuer} ne tient pas de droit de communication de {named}, ou elle n'est pas en vigueur avec une charte validée.",
                "Vérifiez la convention et la validation de sa charte par le comité de pilotage."));
            return (null, null);
        }

        return holding[0];
    }

    private async Task<bool> HoldsRightAsync(string issuer, Convention convention, CharterValidated charter, DateOnly date)
    {
        var roles = convention.Articles.SelectMany(a => a.Clauses)
            .Where(c => c.ClauseCase == Clause.ClauseOneofCase.CommunicationRight && c.CommunicationRight.CharterAnnexId == charter.AnnexId)
            .Select(c => c.CommunicationRight.BeneficiaryRole)
            .ToHashSet();
        var beneficiaries = convention.Signatories.Where(s => roles.Contains(s.Role)).Select(s => s.Party).ToList();
        var actsFor = await directory.ActsForAsync(issuer, beneficiaries, date);
        return beneficiaries.Any(actsFor.Contains);
    }

    /// <summary>The issuer's other messages that count for frequency: approved or published (withdrawn ones too).</summary>
    private async Task<IReadOnlyList<CountedMessage>> CountedMessagesAsync(Communication message)
    {
        var counted = new List<CountedMessage>();
        foreach (var state in Counted)
        {
            counted.AddRange((await repository.ListAllAsync([new IndexTerm("issuer", message.Issuer), new IndexTerm("state", ProtoEnum.Name(state))]))
                .Select(s => s.Resource)
                .Where(c => c.Name != message.Name && (c.ApproveTime ?? c.PublicationStartTime) is not null)
                .Select(c => new CountedMessage(c.Name, (c.PublicationStartTime ?? c.PublishTime ?? c.ApproveTime).ToDateTimeOffset(), c.ResolvedSchools)));
        }

        // A message that changes state between two reads (APPROVED → PUBLISHED) is read twice: count it once.
        return counted.DistinctBy(m => m.Name).ToList();
    }

    private async Task<IReadOnlyList<ElectionWindow>> ElectionsConcerningAsync(string issuer)
    {
        var party = await directory.FindAsync(issuer);
        return (await repository.AllElectionsAsync())
            .Where(e => e.Scope is { } scope && (scope.National || scope.Parties.Contains(issuer) || party is not null && scope.PartyKinds.Contains(party.Kind)))
            .Select(e =>
            {
                var (start, end) = ElectionWindow.Of(CivilDate.Parse(e.FirstRoundDate, "firstRoundDate"), CivilDate.ParseOptional(e.SecondRoundDate, "secondRoundDate"));
                return new ElectionWindow(e.Name, $"{ProtoEnum.Name(e.Kind)} {e.FirstRoundDate}", start, end);
            })
            .ToList();
    }

    public static MessageDraft ToDraft(Communication message, DateTimeOffset publishAt) => new(
        message.Title,
        message.Body,
        ProtoEnum.Name(message.Category),
        message.Audiences.Select(a => ProtoEnum.Name(a)).ToList(),
        message.Urgent,
        publishAt,
        message.ExpireTime?.ToDateTimeOffset(),
        message.Attachments.Select(a => new Domain.Attachment(a.Uri, a.Title, a.MediaType, a.AltText, a.SizeBytes)).ToList());

    public static Charter ToDomain(UsageCharter charter) => new(
        charter.AllowedAudiences.Select(a => ProtoEnum.Name(a)).ToHashSet(),
        charter.AllowedCategories.Select(c => ProtoEnum.Name(c)).ToHashSet(),
        charter.MaxTitleLength,
        charter.MaxBodyLength,
        charter.MaxValidityDays,
        charter.AllowedLinkDomains,
        charter.AllowedContacts,
        charter.Terms.Select(t => new CharterTerm(t.Text, t.Category switch
        {
            Term.Types.Category.Commercial => TermCategory.Commercial,
            Term.Types.Category.Political => TermCategory.Political,
            Term.Types.Category.Religious => TermCategory.Religious,
            _ => TermCategory.Promotional,
        }, t.Severity == Term.Types.Severity.Block ? Severity.Block : Severity.Warn)).ToList(),
        charter.AllowedPhrases,
        charter.RequireAltText,
        charter.UrgentCategories.Select(c => ProtoEnum.Name(c)).ToHashSet())
    {
        MaxMessagesPerSchoolPer30Days = charter.MaxMessagesPerSchoolPer30Days > 0 ? charter.MaxMessagesPerSchoolPer30Days : int.MaxValue,
        ElectoralReserve = charter.ElectoralReserve == UsageCharter.Types.ElectoralReserve.Block ? Severity.Block : Severity.Warn,
    };

    private static V1.Finding ToProto(CharterFinding finding) => new()
    {
        RuleId = finding.RuleId,
        Severity = finding.Severity switch
        {
            Severity.Block => V1.Finding.Types.Severity.Block,
            Severity.Warn => V1.Finding.Types.Severity.Warn,
            _ => V1.Finding.Types.Severity.Info,
        },
        Field = finding.Field,
        Excerpt = finding.Excerpt,
        Message = finding.Message,
        Suggestion = finding.Suggestion,
    };
}
