using Ent.Partnership.Obligations.Domain;

namespace Ent.Partnership.Obligations.Tests.Domain;

public sealed class BusinessCalendarTests
{
    private static readonly BusinessCalendar Reims = BusinessCalendar.ForSchool("0511001L");
    private static readonly BusinessCalendar Strasbourg = BusinessCalendar.ForSchool("0671001Z");

    /// <summary>A Paris wall-clock time as an instant (the offset of that day, summer or winter).</summary>
    private static DateTimeOffset Paris(int year, int month, int day, int hour, int minute = 0)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var local = new DateTime(year, month, day, hour, minute, 0);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    [Fact]
    public void FourHours_FromFriday17h_AreDueMonday11h() =>
        Assert.Equal(Paris(2024, 11, 25, 11), Reims.AddBusinessHours(Paris(2024, 11, 22, 17), TimeSpan.FromHours(4)));

    [Fact]
    public void EasterMonday_IsSkipped() =>
        // Easter 2024 is 31 March: from Friday 29 March 17:00 (Good Friday, a working day in Reims) to Tuesday 2 April.
        Assert.Equal(Paris(2024, 4, 2, 11), Reims.AddBusinessHours(Paris(2024, 3, 29, 17), TimeSpan.FromHours(4)));

    [Fact]
    public void GoodFriday_IsSkippedInStrasbourg_NotInReims()
    {
        var thursday = Paris(2024, 3, 28, 17);

        Assert.Equal(Paris(2024, 3, 29, 11), Reims.AddBusinessHours(thursday, TimeSpan.FromHours(4)));
        Assert.Equal(Paris(2024, 4, 2, 11), Strasbourg.AddBusinessHours(thursday, TimeSpan.FromHours(4)));
    }

    [Fact]
    public void BastilleDay_IsSkipped() =>
        // 14 July 2025 is a Monday.
        Assert.Equal(Paris(2025, 7, 15, 10), Reims.AddBusinessHours(Paris(2025, 7, 11, 16), TimeSpan.FromHours(4)));

    [Fact]
    public void SaintStephensDay_IsAHolidayInAlsaceMoselleOnly()
    {
        Assert.True(Reims.IsWorkingDay(new DateOnly(2024, 12, 26)));
        Assert.False(Strasbourg.IsWorkingDay(new DateOnly(2024, 12, 26)));
    }

    [Fact]
    public void BusinessTime_CountsOnlyOpeningHours() =>
        Assert.Equal(TimeSpan.FromHours(4), Reims.BusinessTimeBetween(Paris(2024, 11, 22, 17), Paris(2024, 11, 25, 11)));

    [Fact]
    public void ATimeBeforeOpening_StartsAtEightOClock() =>
        Assert.Equal(Paris(2024, 11, 25, 10), Reims.AddBusinessHours(Paris(2024, 11, 25, 6, 30), TimeSpan.FromHours(2)));

    [Theory]
    [InlineData(2019, 4, 22)]
    [InlineData(2024, 4, 1)]
    [InlineData(2025, 4, 21)]
    [InlineData(2026, 4, 6)]
    public void EasterMonday_IsAHolidayEveryYear(int year, int month, int day) =>
        Assert.False(Reims.IsWorkingDay(new DateOnly(year, month, day)));

    [Theory]
    [InlineData(2024, 5, 9)]
    [InlineData(2024, 5, 20)]
    [InlineData(2024, 8, 15)]
    [InlineData(2024, 11, 1)]
    [InlineData(2024, 11, 11)]
    [InlineData(2024, 12, 25)]
    public void TheNationalHolidays_AreNotWorkingDays(int year, int month, int day) =>
        Assert.False(Reims.IsWorkingDay(new DateOnly(year, month, day)));

    [Fact]
    public void AGuadeloupeSchool_CountsItsOwnHours_AndSkipsTheAbolitionOfSlavery()
    {
        var guadeloupe = BusinessCalendar.ForSchool("9710001A");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Guadeloupe");
        DateTimeOffset Local(int month, int day, int hour) => new(new DateTime(2027, month, day, hour, 0, 0), zone.GetUtcOffset(new DateTime(2027, month, day)));

        // Wednesday 26 May 2027, 17:00 in Pointe-à-Pitre (23:00 in Paris): one hour that day, none on Thursday 27 May.
        Assert.Equal(Local(5, 28, 11), guadeloupe.AddBusinessHours(Local(5, 26, 17), TimeSpan.FromHours(4)));
        Assert.False(guadeloupe.IsWorkingDay(new DateOnly(2027, 5, 27)));
        Assert.True(Reims.IsWorkingDay(new DateOnly(2027, 5, 27)));
        Assert.False(BusinessCalendar.ForSchool("9740001A").IsWorkingDay(new DateOnly(2027, 12, 20)));
    }
}
