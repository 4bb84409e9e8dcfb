using System.Collections.Concurrent;
using PublicHoliday;
using Regions = PublicHoliday.FrancePublicHoliday.Regions;

namespace Ent.Partnership.Obligations.Domain;

/// <summary>
/// Business hours for service levels: Monday to Friday, 08:00 to 18:00 in the school's own time zone, without
/// the public holidays of its territory (the <c>PublicHoliday</c> package's French calendar: the national days,
/// Good Friday and 26 December in Moselle, Bas-Rhin and Haut-Rhin, the abolition of slavery overseas).
/// </summary>
public sealed class BusinessCalendar
{
    private static readonly TimeOnly Opens = new(8, 0);
    private static readonly TimeOnly Closes = new(18, 0);

    /// <summary>The public holidays of each territory and year, computed once.</summary>
    private static readonly ConcurrentDictionary<(Regions, int), HashSet<DateOnly>> Holidays = new();

    /// <summary>The territories whose calendar or clock is not metropolitan France's, by the UAI's first three characters.</summary>
    private static readonly Dictionary<string, (Regions Region, string Zone)> Territories = new(StringComparer.Ordinal)
    {
        ["057"] = (Regions.AlsaceMoselle, "Europe/Paris"),
        ["067"] = (Regions.AlsaceMoselle, "Europe/Paris"),
        ["068"] = (Regions.AlsaceMoselle, "Europe/Paris"),
        ["971"] = (Regions.Guadeloupe, "America/Guadeloupe"),
        ["972"] = (Regions.Martinique, "America/Martinique"),
        ["973"] = (Regions.Guyane, "America/Cayenne"),
        ["974"] = (Regions.Reunion, "Indian/Reunion"),
        ["976"] = (Regions.Mayotte, "Indian/Mayotte"),
    };

    private readonly Regions _region;
    private readonly TimeZoneInfo _zone;

    private BusinessCalendar(Regions region, string zone)
    {
        _region = region;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(zone);
    }

    /// <summary>The calendar of a school, told by its UAI's département (057, 067, 068; 971 to 976 overseas).</summary>
    public static BusinessCalendar ForSchool(string uai) =>
        uai.Length >= 3 && Territories.TryGetValue(uai[..3], out var territory)
            ? new BusinessCalendar(territory.Region, territory.Zone)
            : new BusinessCalendar(Regions.OnlyOfficial, "Europe/Paris");

    public bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !HolidaysOf(day.Year).Contains(day);

    /// <summary>The instant <paramref name="hours"/> business hours after <paramref name="start"/>.</summary>
    public DateTimeOffset AddBusinessHours(DateTimeOffset start, TimeSpan hours)
    {
        var local = TimeZoneInfo.ConvertTime(start, _zone).DateTime;
        var remaining = hours;
        while (true)
        {
            local = NextOpenMoment(local);
            var closing = local.Date + Closes.ToTimeSpan();
            if (local + remaining <= closing)
            {
                return ToInstant(local + remaining);
            }

            remaining -= closing - local;
            local = closing;
        }
    }

    /// <summary>The business time between two instants (zero when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var start = TimeZoneInfo.ConvertTime(from, _zone).DateTime;
        var end = TimeZoneInfo.ConvertTime(to, _zone).DateTime;
        var total = TimeSpan.Zero;
        for (var day = DateOnly.FromDateTime(start); day <= DateOnly.FromDateTime(end); day = day.AddDays(1))
        {
            if (!IsWorkingDay(day))
            {
                continue;
            }

            var open = day.ToDateTime(Opens);
            var close = day.ToDateTime(Closes);
            var overlap = Min(close, end) - Max(open, start);
            if (overlap > TimeSpan.Zero)
            {
                total += overlap;
            }
        }

        return total;
    }

    private HashSet<DateOnly> HolidaysOf(int year) => Holidays.GetOrAdd((_region, year), key =>
        new FrancePublicHoliday { Region = key.Item1 }.PublicHolidays(key.Item2).Select(DateOnly.FromDateTime).ToHashSet());

    /// <summary>The moment itself if business hours are running, else the next opening.</summary>
    private DateTime NextOpenMoment(DateTime local)
    {
        while (true)
        {
            var day = DateOnly.FromDateTime(local);
            var time = TimeOnly.FromDateTime(local);
            if (IsWorkingDay(day) && time < Closes)
            {
                return time < Opens ? day.ToDateTime(Opens) : local;
            }

            local = day.AddDays(1).ToDateTime(Opens);
        }
    }

    private DateTimeOffset ToInstant(DateTime local) =>
        new(local, _zone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified)));

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
