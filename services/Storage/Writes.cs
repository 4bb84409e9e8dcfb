using Ent.Partnership.ServiceDefaults.Errors;

namespace Ent.Partnership.Storage;

/// <summary>The ways a write is carried out that every service shares: retried when it lost a race, made once per request id.</summary>
public static class Writes
{
    /// <summary>How many times a write is tried while other writes keep winning the race; the last loss is ABORTED.</summary>
    public const int Attempts = 5;

    /// <summary>
    /// Runs <paramref name="attempt"/> — which reads what it needs, then writes it with the versions read — again
    /// while another write wins (<see cref="ConcurrencyConflictException"/>), at most <see cref="Attempts"/> times.
    /// </summary>
    public static async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> attempt)
    {
        for (var tried = 1; ; tried++)
        {
            try
            {
                return await attempt();
            }
            catch (ConcurrencyConflictException) when (tried < Attempts)
            {
            }
        }
    }

    /// <inheritdoc cref="RetryOnConflictAsync{T}(Func{Task{T}})"/>
    public static Task RetryOnConflictAsync(Func<Task> attempt) => RetryOnConflictAsync(async () =>
    {
        await attempt();
        return true;
    });

    /// <summary>
    /// A create carried out at most once per request id: a request id already used answers what it made
    /// (<paramref name="made"/>), before <paramref name="create"/> runs or when a concurrent twin committed first,
    /// whether its commit or its checks then found the twin's work.
    /// <paramref name="create"/> writes its batch with <see cref="WriteBatch.ForRequest"/> under the same scope.
    /// </summary>
    public static async Task<T> CreateOnceAsync<T>(this IDocumentStore store, string scope, string requestId, Func<string, Task<T>> made, Func<Task<T>> create)
    {
        if (requestId.Length > 0 && await store.FindRequestAsync(scope, requestId) is { } earlier)
        {
            return await made(earlier);
        }

        try
        {
            return await create();
        }
        catch (DuplicateRequestException duplicate)
        {
            return await made(duplicate.ExistingResource);
        }
        catch (DomainException) when (requestId.Length > 0)
        {
            // A twin that committed between the look above and this create's checks makes them refuse (it has
            // signed already): the request was carried out, so it answers what the twin made.
            if (await store.FindRequestAsync(scope, requestId) is { } twin)
            {
                return await made(twin);
            }

            throw;
        }
    }
}
