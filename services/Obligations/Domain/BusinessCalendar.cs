namespace Ent.Partnership.Obligations.Domain;

/// <summary>
/// Business hours for service levels: Monday to Friday, 08:00 to 18:00 Europe/Paris, without French public
/// holidays, and without Good Friday and 26 December where local law applies (Moselle, Bas-Rhin, Haut-Rhin).
/// </summary>
public sealed class BusinessCalendar(bool alsaceMoselle)
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly TimeOnly Opens = new(8, 0);
    private static readonly TimeOnly Closes = new(18, 0);

    /// <summary>The calendar of a school: local law for the départements 57, 67 and 68 (UAI 057…, 067…, 068…).</summary>
    public static BusinessCalendar ForSchool(string uai) =>
        new(uai.StartsWith("057", StringComparison.Ordinal) || uai.StartsWith("067", StringComparison.Ordinal) || uai.StartsWith("068", StringComparison.Ordinal));

    public bool IsWorkingDay(DateOnly day) =>
        day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !FrenchHolidays.IsHoliday(day, alsaceMoselle);

    /// <summary>The instant <paramref name="hours"/> business hours after <paramref name="start"/>.</summary>
    public DateTimeOffset AddBusinessHours(DateTimeOffset start, TimeSpan hours)
    {
        var local = TimeZoneInfo.ConvertTime(start, Paris).DateTime;
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
        var start = TimeZoneInfo.ConvertTime(from, Paris).DateTime;
        var end = TimeZoneInfo.ConvertTime(to, Paris).DateTime;
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

    private static DateTimeOffset ToInstant(DateTime local) =>
        new(local, Paris.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified)));

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}

/// <summary>French public holidays, those that follow Easter included, and the two of Alsace-Moselle.</summary>
public static class FrenchHolidays
{
    public static bool IsHoliday(DateOnly day, bool alsaceMoselle)
    {
        if ((day.Month, day.Day) is (1, 1) or (5, 1) or (5, 8) or (7, 14) or (8, 15) or (11, 1) or (11, 11) or (12, 25))
        {
            return true;
        }

        var easter = Easter(day.Year);
        if (day == easter.AddDays(1) || day == easter.AddDays(39) || day == easter.AddDays(50))
        {
            return true;
        }

        return alsaceMoselle && (day == easter.AddDays(-2) || (day.Month, day.Day) == (12, 26));
    }

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).</summary>
    public static DateOnly Easter(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var dayOfMonth = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, dayOfMonth);
    }
}
