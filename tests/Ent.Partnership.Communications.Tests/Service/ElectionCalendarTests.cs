using Ent.Partnership.Common.V1;
using Ent.Partnership.Communications.V1;
using Ent.Partnership.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Time.Testing;
using State = Ent.Partnership.Communications.V1.Communication.Types.State;

namespace Ent.Partnership.Communications.Tests.Service;

/// <summary>
/// The sample election calendar as the service loads it, on 2 December 2026: the 2027 presidential election's
/// reserve, open since 1 October, reaches every collectivity's message.
/// </summary>
public sealed class ElectionCalendarTests(ServiceEnvironment environment) : IClassFixture<ServiceEnvironment>, IAsyncLifetime
{
    private static readonly global::Grpc.Core.Metadata Cea = TestKeys.As("parties/cea", RoleNames.Collectivity);

    private readonly CommunicationsFactory _service = environment.StartCommunications(
        new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero)), ("Seed:Elections", "true"));

    public async Task InitializeAsync()
    {
        // Transport notices may go out at once.
        await _service.KeepSampleConventionAsync(Category.Transport);
        await Wait.UntilAsync(async () => (await _service.Client.ListElectionsAsync(new ListElectionsRequest { PageSize = 500 }, Cea)).Elections.Count >= 10);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private static Communication Notice(bool urgent) => new()
    {
        Title = "Transports scolaires",
        Body = "Les cars ne circulent pas demain en raison de la neige.",
        Category = Category.Transport,
        Audiences = { Audience.Parents },
        Targets = new Targets { Schools = { "parties/" + ServiceEnvironment.Schools[2] } },
        Urgent = urgent,
        ExpireTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero)),
    };

    [Fact]
    public async Task TheCalendar_HoldsTheScheduledElections_AndTheCheckWarnsOfThePresidentialReserve()
    {
        var elections = (await _service.Client.ListElectionsAsync(new ListElectionsRequest { PageSize = 500 }, Cea)).Elections.ToDictionary(e => e.Name);
        var verdict = await _service.Client.CheckCommunicationAsync(new CheckCommunicationRequest { Communication = Notice(urgent: false) }, Cea);

        Assert.Equal(("2027-04-11", "2026-10-01"), (elections["elections/presidentielle-2027"].FirstRoundDate, elections["elections/presidentielle-2027"].ReserveStartDate));
        Assert.Contains("elections/departementales-2028", elections.Keys);
        Assert.Contains("elections/regionales-2028", elections.Keys);
        var reserve = Assert.Single(verdict.Findings);
        Assert.Equal(("CH-ELECTORAL-RESERVE", Finding.Types.Severity.Warn, "PRESIDENTIAL 2027-04-11"), (reserve.RuleId, reserve.Severity, reserve.Excerpt));
    }

    [Fact]
    public async Task AnUrgentNotice_IsPublishedAtOnce_DuringAReserve_WithTheWarningLeftToItsReviewer()
    {
        var message = await _service.Client.CreateCommunicationAsync(new CreateCommunicationRequest { Communication = Notice(urgent: true) }, Cea);

        var submitted = await _service.Client.SubmitCommunicationAsync(new SubmitCommunicationRequest { Name = message.Name }, Cea);

        Assert.Equal(State.Published, submitted.State);
        Assert.Equal(["CH-ELECTORAL-RESERVE"], submitted.Verdict.Findings.Select(f => f.RuleId));
    }
}
