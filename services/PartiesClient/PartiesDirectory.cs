using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ent.Partnership.Parties.V1;
using Ent.Partnership.ServiceDefaults.Api;
using Ent.Partnership.Storage;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Ent.Partnership.Parties.Client;

/// <summary>
/// What the other services ask the parties service, the one place that knows who exists, who succeeded
/// whom and who is competent for a school: its answers are kept in memory until the parties' stream says
/// something changed (<see cref="Changed"/>), and at most <see cref="MaxAge"/> in case a notice is lost.
/// What it returns is shared between callers: read it, never change it.
/// </summary>
public sealed class PartiesDirectory(V1.Parties.PartiesClient parties, TimeProvider time) : IStreamWatcher
{
    /// <summary>The parties service's stream, whose writes make this directory forget what it kept.</summary>
    public const string Stream = "parties:events";

    /// <summary>How long an answer is kept when no change is heard.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    /// <summary>Past this many answers kept, the directory starts again empty.</summary>
    private const int MaxEntries = 10_000;

    private static readonly Meter Meter = new(ServiceDefaultsExtensions.ActivitySourceName);

    private static readonly Counter<long> Reads = Meter.CreateCounter<long>(
        "ent.partnership.parties.directory.reads", "{read}", "Reads of the parties directory, by whether the answer was kept in memory");

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private long _generation;

    /// <summary>A party, or null when the parties service does not know it (or it is no party's name).</summary>
    public Task<Party?> FindAsync(string name) => KeptAsync($"party|{name}", async () =>
    {
        try
        {
            return await parties.GetPartyAsync(new GetPartyRequest { Name = name });
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    });

    /// <summary>Who holds <paramref name="name"/>'s rights on <paramref name="date"/>, with every succession from it on.</summary>
    public async Task<Succession> SuccessionAsync(string name, DateOnly date) =>
        await KeptAsync($"succession|{name}|{date.ToText()}", async () =>
        {
            try
            {
                return await parties.ResolveSuccessionAsync(new ResolveSuccessionRequest { Name = name, Date = date.ToText() });
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
            {
                return new Succession { Party = name, Date = date.ToText(), Holder = name };
            }
        }) ?? throw new InvalidOperationException("A succession is always answered.");

    /// <summary>The collectivity competent for <paramref name="school"/> on <paramref name="date"/>, or null when none is.</summary>
    public async Task<string?> CompetentAuthorityAsync(string school, DateOnly date) =>
        (await KeptAsync($"competence|{school}|{date.ToText()}", async () =>
        {
            try
            {
                return await parties.ResolveCompetenceAsync(new ResolveCompetenceRequest { Name = school, Date = date.ToText() });
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.FailedPrecondition)
            {
                return null;
            }
        }))?.CompetentAuthority;

    /// <summary>The schools open and under <paramref name="authority"/>'s competence on a day from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public async Task<IReadOnlyList<Party>> SchoolsUnderCompetenceAsync(string authority, DateOnly first, DateOnly last) =>
        await KeptAsync($"schools|{authority}|{first.ToText()}|{last.ToText()}", async () =>
        {
            try
            {
                var schools = new List<Party>();
                var request = new ListSchoolsUnderCompetenceRequest { Authority = authority, StartDate = first.ToText(), EndDate = last.ToText(), PageSize = 500 };
                do
                {
                    var page = await parties.ListSchoolsUnderCompetenceAsync(request);
                    schools.AddRange(page.Schools);
                    request.PageToken = page.NextPageToken;
                }
                while (request.PageToken.Length > 0);
                return schools;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
            {
                return [];
            }
        }) ?? [];

    /// <summary>Every party a List filter keeps (<c>kind = AGRICULTURE_AUTHORITY</c>), all pages read.</summary>
    public async Task<IReadOnlyList<Party>> ListAsync(string filter) =>
        await KeptAsync($"list|{filter}", async () =>
        {
            var found = new List<Party>();
            var request = new ListPartiesRequest { Filter = filter, PageSize = 500 };
            do
            {
                var page = await parties.ListPartiesAsync(request);
                found.AddRange(page.Parties);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);
            return (IReadOnlyList<Party>)found;
        }) ?? [];

    /// <summary>The parties changed: what was kept is forgotten, answers being read now included.</summary>
    public void Changed()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>The answer kept under <paramref name="key"/>, or <paramref name="read"/>'s, kept unless null.</summary>
    private async Task<T?> KeptAsync<T>(string key, Func<Task<T?>> read)
        where T : class
    {
        var generation = Interlocked.Read(ref _generation);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && entry.Generation == generation && entry.Expires > now)
        {
            Reads.Add(1, new KeyValuePair<string, object?>("kept", true));
            return (T)entry.Value;
        }

        Reads.Add(1, new KeyValuePair<string, object?>("kept", false));
        var value = await read();
        if (value is not null)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            // Read before a change was heard: kept with the old generation, so never used.
            _entries[key] = new Entry(generation, now + MaxAge, value);
        }

        return value;
    }

    private sealed record Entry(long Generation, DateTimeOffset Expires, object Value);
}
