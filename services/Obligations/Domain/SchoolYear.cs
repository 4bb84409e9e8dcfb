namespace Ent.Partnership.Obligations.Domain;

/// <summary>A school year runs from 1 September to 31 August.</summary>
public static class SchoolYear
{
    /// <summary>The first day of the school year that holds <paramref name="day"/>.</summary>
    public static DateOnly StartOf(DateOnly day) => new(day.Month >= 9 ? day.Year : day.Year - 1, 9, 1);

    /// <summary>The school year's name, "2019-2020".</summary>
    public static string NameOf(DateOnly start) => $"{start.Year}-{start.Year + 1}";
}
