using System.Text.Json;
using Ent.Partnership.Conventions.Application;
using Ent.Partnership.Conventions.V1;
using Ent.Partnership.ServiceDefaults.Errors;
using Ent.Partnership.ServiceDefaults.Identity;
using Ent.Partnership.Storage;
using Google.Protobuf;
using Grpc.Core;
using static Ent.Partnership.Conventions.V1.Convention.Types;

namespace Ent.Partnership.Conventions.Seeding;

/// <summary>Whether to load the sample convention (Development).</summary>
public sealed record SeedOptions
{
    public bool Conventions { get; init; }
}

/// <summary>
/// Carries the sample MBN convention through its real path (creation, submission, each party's
/// deliberations, each signature) once; a run that stopped half-way is taken up where it stopped.
/// </summary>
public sealed class SampleConventionLoader(
    IOneAtATime oneAtATime, ConventionCatalog catalog, PartyLookup parties, SeedOptions options, IHostEnvironment environment, ILogger<SampleConventionLoader> logger)
    : OneReplicaAtATimeService(oneAtATime)
{
    private static readonly Caller Loader = Caller.Internal("conventions-sample-data");
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (!options.Conventions)
        {
            return;
        }

        // The parties service starts beside this one and loads the parties as it starts; wait for the last of them.
        for (var attempt = 1; !await PartiesLoadedAsync(); attempt++)
        {
            if (attempt == 120)
            {
                logger.LogWarning("The parties are not there; the sample convention is not loaded");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        }

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(environment.ContentRootPath, "SeedData", "sample-convention.json"), stoppingToken));
        var root = document.RootElement;
        var name = "conventions/" + root.GetProperty("id").GetString();
        await Ignoring<AlreadyExistsException>(() => catalog.CreateAsync(Loader, Parser.Parse<Convention>(root.GetProperty("convention").GetRawText()), root.GetProperty("id").GetString()!, ""));
        foreach (var element in root.GetProperty("meetings").EnumerateArray())
        {
            await LoadMeetingAsync(name, element);
        }

        if ((await catalog.GetAsync(name)).State == State.Draft)
        {
            await catalog.SubmitAsync(Loader, name);
        }

        foreach (var element in root.GetProperty("deliberations").EnumerateArray())
        {
            await Ignoring<DomainException>(() => catalog.CreateDeliberationAsync(
                Loader, name, Parser.Parse<Deliberation>(element.GetRawText()), element.GetProperty("id").GetString()!, ""));
        }

        foreach (var element in root.GetProperty("signatures").EnumerateArray())
        {
            await Ignoring<DomainException>(() => catalog.CreateSignatureAsync(Loader, name, Parser.Parse<Signature>(element.GetRawText()), ""));
        }

        logger.LogInformation("Sample convention {Convention} is {State}", name, (await catalog.GetAsync(name)).State);
    }

    /// <summary>The extraordinary steering committee of 16 September 2019, which validated the charter.</summary>
    private async Task<bool> PartiesLoadedAsync()
    {
        try
        {
            return await parties.FindAsync("parties/dep-88") is not null;
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return false;
        }
    }

    private async Task LoadMeetingAsync(string convention, JsonElement element)
    {
        var meetingName = $"{convention}/meetings/{element.GetProperty("id").GetString()}";
        await Ignoring<AlreadyExistsException>(() => catalog.CreateMeetingAsync(
            Loader, convention, Parser.Parse<Meeting>(element.GetProperty("meeting").GetRawText()), element.GetProperty("id").GetString()!, ""));
        if ((await catalog.GetMeetingAsync(meetingName)).State == Meeting.Types.State.Scheduled)
        {
            var attendance = element.GetProperty("attendance").EnumerateArray().Select(a => Parser.Parse<Attendance>(a.GetRawText())).ToList();
            await catalog.HoldMeetingAsync(Loader, meetingName, attendance);
        }

        foreach (var decision in element.GetProperty("decisions").EnumerateArray())
        {
            await Ignoring<AlreadyExistsException>(() => catalog.RecordDecisionAsync(Loader, meetingName, Parser.Parse<Decision>(decision.GetRawText())));
        }
    }

    /// <summary>Steps already taken in an earlier run are refused; that is how the loader knows to go on.</summary>
    private async Task Ignoring<TException>(Func<Task> step) where TException : Exception
    {
        try
        {
            await step();
        }
        catch (TException exception)
        {
            logger.LogInformation("Sample convention: step skipped ({Reason})", exception.Message);
        }
    }
}
