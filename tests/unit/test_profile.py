"""kvisa.profile reads a whole message into a Profile of ids, and assess() judges it (issue 7).

Every sentence here is written for this file (none from the issue or the held-out set). `today` is passed
wherever an age is computed from a birth year, so that the tests do not depend on the date they run.
"""
import datetime as dt

import pytest

from kvisa import UNCLEAR, UNLISTED, Outcome, Reason, Result, assess, extract_profile
from kvisa.assessment import say

TODAY = dt.date(2026, 12, 1)


def read(text, today=TODAY):
    return extract_profile(text, today=today)


def levels(profile):
    return [d.level for d in profile.degrees]


# ------------------------------------------------------------------------------------------------ age


@pytest.mark.parametrize("text,age", [
    ("I'm a 27-year-old civil engineer with a BEng from Imperial College London", 27),
    ("27 y/o here, master's in physics, wondering about the K visa", 27),
    ("hello, aged 27 and holding a BSc in mathematics", 27),
    ("I am 27 years old and have a PhD in chemistry", 27),
    ("So I'm twenty-seven, PhD in biology from Kyoto University", 27),
    # in the user's own language, or after a colon
    ("halo, umur saya 31, lulusan S2 fisika", 31),
    ("toi 27 tuoi, ky su dien tu Bach Khoa", 27),
    ("salam, 3omri 25 w 3andi bachelor fi chemistry", 25),
    ("30 na ako, BS chemistry from UP Diliman", 30),
    ("Please check: 33, MSc physics from the University of Leeds", 33),
])
def test_the_users_age_is_read_wherever_it_stands(text, age):
    profile = read(text)
    assert profile.age == age
    assert profile.age_note is None
    assert profile.applicant is None


def test_turning_an_age_next_month_is_one_year_less_today():
    profile = read("I'm turning 30 next month and I have a PhD in biology")
    assert profile.age == 29
    assert profile.age_note == "turning 30"


def test_a_birth_year_gives_the_age_from_todays_date_and_says_how():
    profile = read("I was born in 1994 and have a BSc in biology", today=TODAY)
    assert profile.age == 32
    assert profile.age_note == "born in 1994"
    later = read("I was born in 1994 and have a BSc in biology", today=dt.date(2031, 3, 1))
    assert later.age == 37


@pytest.mark.parametrize("text,age", [
    ("born on 15 March 1994, MSc in physics", 32),     # birthday already passed on 1 December
    ("born on 20 December 1994, MSc in physics", 31),  # birthday still to come
])
def test_a_full_birth_date_gives_the_exact_age(text, age):
    assert read(text, today=TODAY).age == age


def test_the_age_read_from_a_birth_year_is_said_back_in_the_verdict():
    verdict = assess(read("born in 1994, PhD in physics from ETH Zurich", today=TODAY))
    assert verdict.criterion("age").value == "32"
    assert "32 (born in 1994)" in verdict.criterion("age").reason


@pytest.mark.parametrize("text", [
    "I have 6 years of experience as a data engineer and an MSc in computer science",
    "I studied for 5 years and then worked 4 years at Siemens after my master's in robotics",
    "I did a 4 year bachelor's in physics and graduated 3 years ago",
    "class of 2015, BSc in physics from McGill University",
    "I have 3 kids and 2 patents, PhD in chemistry",
    "we are a team of 25 people, I have an MSc in statistics",
    "I have been teaching for 12 years with a PhD in physics",
    "I quit university after 2 years so I have no degree",
])
def test_durations_counts_and_class_years_are_not_the_age(text):
    assert read(text).age is None


@pytest.mark.parametrize("text", [
    "my brother is 35 and I have a BSc in physics from the University of Toronto",
    "my wife is 41, I hold an MSc in chemistry",
])
def test_another_persons_age_is_not_the_users(text):
    profile = read(text)
    assert profile.age is None
    assert profile.applicant is None


def test_the_users_age_wins_over_another_persons():
    profile = read("my wife is 30 and I'm 33 with a PhD in physics from Peking University")
    assert profile.age == 33
    assert profile.applicant is None


# ------------------------------------------------------------------------------- someone else's profile


def test_a_daughters_profile_is_checked_as_hers():
    profile = read("my daughter is 24 and has a bachelor's in statistics from the University of Toronto, "
                   "can she apply?")
    assert profile.applicant == "daughter"
    assert profile.age == 24
    assert [(d.level, d.field, d.institution) for d in profile.degrees] == [
        ("bachelor", "Statistics", "University of Toronto")]
    verdict = assess(profile)
    assert verdict.outcome is Outcome.LIKELY_ELIGIBLE
    assert verdict.applicant == "daughter"
    assert say("NOTE_FOR_SOMEONE_ELSE", who="daughter") in verdict.notes


@pytest.mark.parametrize("text,who,age", [
    ("asking for my husband: he is 38, PhD in geology from Peking University", "husband", 38),
    ("My son (23) just finished his BSc in computer science at the University of Melbourne", "son", 23),
    ("my 26-year-old sister has an MSc in biology, would she qualify?", "sister", 26),
    ("my little brother is 22 and has a BSc in maths", "brother", 22),
])
def test_other_peoples_profiles(text, who, age):
    profile = read(text)
    assert (profile.applicant, profile.age) == (who, age)


# ------------------------------------------------------------------------------ degree names to a level


@pytest.mark.parametrize("text,level", [
    ("I hold a Dipl.-Ing. in mechanical engineering from TU Munich", "master"),
    ("I got a Magister in philosophy from the University of Vienna", "master"),
    ("I have a Licence in mathematics from Sorbonne University", "bachelor"),
    ("j'ai une licence en informatique", "bachelor"),
    ("Licenciatura in physics from UNAM", "bachelor"),
    ("I finished a Laurea triennale in computer engineering at Politecnico di Milano", "bachelor"),
    ("Laurea magistrale in physics from the University of Bologna", "master"),
    ("Bacharelado in computer science from the University of Sao Paulo", "bachelor"),
    ("Mestrado in electrical engineering from Unicamp", "master"),
    ("Doutorado in chemistry from the Federal University of Rio de Janeiro", "doctorate"),
    ("B.E. in electronics from Anna University", "bachelor"),
    ("B.Tech in computer science from IIT Bombay", "bachelor"),
    ("M.Tech in structural engineering from IIT Madras", "master"),
    ("I did an MCA from Pune University", "master"),
    ("BSc (Hons) in physics from the University of Edinburgh", "bachelor"),
    ("Specialist degree in applied mathematics from Moscow State University", "master"),
    ("I have a Specialist diploma in physics from Novosibirsk State University", "master"),
])
def test_foreign_degree_names_map_to_a_level(text, level):
    profile = read(text)
    assert levels(profile) == [level]


@pytest.mark.parametrize("text,expected", [
    ("I'm a final-year PhD student at KAIST; may I apply before I get the diploma?", ["doctorate"]),
    ("My Magistr diploma in chemistry is from Kazan Federal University", ["master"]),
    ("I only have a diploma in nursing from a polytechnic", ["below_bachelor"]),
])
def test_the_diploma_of_a_degree_is_its_document_not_a_diploma_level_qualification(text, expected):
    assert levels(read(text)) == expected


@pytest.mark.parametrize("text,written", [
    ("I'm 30 with a tecnólogo in systems analysis from Fatec", "tecnologo"),
    ("I'm 30 and I have a national diploma in information technology", "national diploma"),
])
def test_an_unclear_equivalence_is_uncertain_never_guessed(text, written):
    profile = read(text)
    assert levels(profile) == [UNCLEAR]
    verdict = assess(profile)
    degree = verdict.criterion("degree")
    assert (degree.result, degree.reason_code) == (Result.UNCERTAIN, Reason.DEGREE_EQUIVALENCE_UNCLEAR)
    assert degree.value == written
    assert verdict.outcome is not Outcome.NOT_ELIGIBLE


# ---------------------------------------------------------------------------------- several degrees


def test_each_degree_keeps_its_own_field_and_institution():
    profile = read("I'm 30, I have a BA in history from Oxford and an MSc in data science from Imperial College "
                   "London")
    assert [(d.level, d.field, d.institution) for d in profile.degrees] == [
        ("bachelor", "History and archaeology", "University of Oxford"),
        ("master", "Data science", "Imperial College London")]


def test_a_stem_master_after_a_non_stem_bachelor_decides():
    profile = read("I'm 31 with a bachelor's in English literature and then a master's in electrical "
                   "engineering at TU Delft")
    verdict = assess(profile)
    assert verdict.outcome is Outcome.LIKELY_ELIGIBLE
    assert verdict.degree_used == "Master's degree in Electrical engineering (Delft University of Technology)"
    assert say("NOTE_DEGREE_USED", degree=verdict.degree_used) in verdict.notes
    assert verdict.criterion("field").result is Result.MET


def test_the_best_degree_decides_whatever_the_order():
    profile = read("I'm 34, MSc in chemistry from Kyoto University, and before that a BA in economics from a "
                   "local college")
    assert levels(profile) == ["master", "bachelor"]
    verdict = assess(profile)
    assert verdict.outcome is Outcome.LIKELY_ELIGIBLE
    assert verdict.degree_used == "Master's degree in Chemistry (Kyoto University)"


# ------------------------------------------------------------------------------- degrees in progress


def test_a_phd_candidate_is_judged_on_the_completed_master():
    profile = read("I'm 29 and a PhD candidate in physics at ETH Zurich; I already hold an MSc in physics from "
                   "the University of Zurich")
    assert [(d.level, d.in_progress) for d in profile.degrees] == [("doctorate", True), ("master", False)]
    verdict = assess(profile)
    assert verdict.outcome is Outcome.LIKELY_ELIGIBLE
    assert verdict.degree_used == "Master's degree in Physics (University of Zurich)"
    phd = "Doctorate (PhD or equivalent) in Physics (ETH Zurich)"
    assert say("NOTE_IN_PROGRESS", degree=phd) in verdict.notes


def test_a_degree_still_in_progress_does_not_count_yet():
    profile = read("I'm 22 and in the final year of my BSc in mathematics at the University of Warwick")
    assert [(d.level, d.in_progress) for d in profile.degrees] == [("bachelor", True)]
    degree = assess(profile).criterion("degree")
    assert (degree.result, degree.reason_code) == (Result.NOT_MET, Reason.DEGREE_IN_PROGRESS)


@pytest.mark.parametrize("text", [
    "I am doing a PhD in chemistry at Heidelberg University, I will finish in 2028",
    "currently I'm doing my MSc in robotics at TU Delft and I finish next summer",
    "I'm 24, master's in statistics at the University of Oslo, due to finish in June",
])
def test_a_degree_being_done_or_finished_later_is_in_progress(text):
    assert [d.in_progress for d in read(text).degrees] == [True]


def test_a_degree_finished_earlier_next_to_one_in_progress_keeps_its_own_state():
    profile = read("I finished my BSc in physics at the University of Oslo, and now I am doing a PhD in physics "
                   "at ETH Zurich")
    assert [(d.level, d.in_progress) for d in profile.degrees] == [("bachelor", False), ("doctorate", True)]


# ------------------------------------------------------------------------------------- institutions


@pytest.mark.parametrize("text", [
    "I'm 26, BSc in computer science from a small private college in my hometown",
    "I'm 26 and got my bachelor's in physics at a little regional college nobody has heard of",
    "I'm 26 with a BSc in chemistry, my university is not ranked anywhere",
])
def test_an_institution_described_without_a_name_is_unlisted_and_uncertain(text):
    profile = read(text)
    assert [d.institution for d in profile.degrees] == [UNLISTED]
    verdict = assess(profile)
    institution = verdict.criterion("institution")
    assert (institution.result, institution.reason_code) == (Result.UNCERTAIN, Reason.INSTITUTION_UNLISTED)
    assert verdict.outcome is Outcome.UNCERTAIN


def test_an_unlisted_institution_named_in_a_long_message_keeps_its_name():
    profile = read("Hi! I'm 28. After school I moved to Lisbon, where I studied hard, and I got my MSc in "
                   "physics from the Springfield Institute of Applied Science in 2022, and now I work in a lab.")
    assert [(d.level, d.field, d.institution, d.institution_text) for d in profile.degrees] == [
        ("master", "Physics", UNLISTED, "springfield institute of applied science")]


@pytest.mark.parametrize("text,institution_text", [
    ("graduated bsc ece from kmit 2021", "kmit"),
    ("did my btech from rvce, now 24", "rvce"),
    ("msc chem at ucsy last yr", "ucsy"),
])
def test_a_short_name_typed_in_lowercase_is_an_unlisted_institution(text, institution_text):
    assert [(d.institution, d.institution_text) for d in read(text).degrees] == [(UNLISTED, institution_text)]


@pytest.mark.parametrize("text", [
    "bsc in physics from india, 2019",
    "i got my msc from home during covid",
    "I have a BSc in physics from India.",
])
def test_a_country_or_an_everyday_word_after_from_is_not_an_institution(text):
    assert [d.institution for d in read(text).degrees] == [None]


def test_a_workplace_is_not_the_degrees_institution():
    profile = read("I'm 35 with an MSc in physics from a small private college, and now I work at Peking "
                   "University as a lab technician")
    assert [d.institution for d in profile.degrees] == [UNLISTED]


# ------------------------------------------------------------------------------------ online degrees


@pytest.mark.parametrize("text", [
    "I'm 35, master's in computer science done online from Georgia Tech",
    "I'm 35 and I earned an MSc in data science by distance learning from the University of Edinburgh",
    "I'm 35, MS in CS through OMSCS at Georgia Tech",
])
def test_an_online_degree_makes_the_degree_uncertain_with_the_reason(text):
    profile = read(text)
    assert [d.online for d in profile.degrees] == [True]
    verdict = assess(profile)
    degree = verdict.criterion("degree")
    assert (degree.result, degree.reason_code) == (Result.UNCERTAIN, Reason.DEGREE_ONLINE)
    assert "online" in degree.reason
    assert verdict.outcome is Outcome.UNCERTAIN


def test_selling_online_does_not_make_a_degree_online():
    profile = read("I'm 32, I have a PhD in physics from ETH Zurich and now I sell fashion online")
    assert [d.online for d in profile.degrees] == [False]
    assert assess(profile).outcome is Outcome.LIKELY_ELIGIBLE


# ------------------------------------------------------------------------- the teaching/research route


@pytest.mark.parametrize("text", [
    "I'm 40 with a BA in history from a local college and I teach physics at Peking University",
    "I'm 38, MA in philosophy from the University of Vienna, and I work as a research scientist at the "
    "Max Planck Institute for Quantum Optics",
    "I'm 41, BA in history from a college in Lima, and I have been teaching mathematics at a university "
    "for ten years",
    "I'm 37 with a bachelor's in music from Vienna and I now hold a research position in acoustics at "
    "Imperial College London",
])
def test_a_non_stem_degree_with_teaching_or_research_is_uncertain_not_rejected(text):
    profile = read(text)
    assert profile.teaching_or_research is True
    verdict = assess(profile)
    assert verdict.outcome is Outcome.UNCERTAIN
    field = verdict.criterion("field")
    assert (field.result, field.reason_code) == (Result.UNCERTAIN, Reason.FIELD_NOT_STEM_RESEARCH_ROUTE)
    assert say("NOTE_RESEARCH_ROUTE") in verdict.notes


def test_a_non_stem_degree_without_that_work_is_not_eligible():
    profile = read("I'm 40 with a BA in history from Peking University")
    assert profile.teaching_or_research is False
    assert assess(profile).outcome is Outcome.NOT_ELIGIBLE


@pytest.mark.parametrize("text, field", [
    ("I'm 27, S1 Teknik Elektro from a state university in Java", "Electrical engineering"),
    ("I'm 30, S1 Teknik Kimia, graduated 2019", "Chemical engineering"),
    ("Yaş 29, lisans: Bilgisayar Mühendisliği, 2018", "Computer engineering"),
    ("I'm 31, kỹ sư điện, graduated in Da Nang", "Electrical engineering"),
    ("I'm 28 with a bachelor's in makine mühendisliği", "Mechanical engineering"),
])
def test_field_names_in_indonesian_turkish_and_vietnamese(text, field):
    assert [d.field for d in read(text).degrees] == [field]


@pytest.mark.parametrize("text,route", [
    ("My wife teaches robotics at Seoul National University, but her degree is in law", True),
    ("my husband is 40 and he is a researcher at CNRS", True),
    # the user's own work, when the profile is someone else's, is not the applicant's route
    ("I am a lecturer at Makerere and I am asking for my student: she is 24 with a BSc in physics", False),
    ("I'm 41 and I teach physics at a university, BA in history", True),
])
def test_teaching_or_research_belongs_to_the_applicant(text, route):
    assert read(text).teaching_or_research is route


@pytest.mark.parametrize("text,level", [("s1 teknik informatika", "bachelor"), ("lulusan s2 fisika", "master"),
                                        ("s3 kimia dari UI", "doctorate")])
def test_indonesian_degree_levels_in_lowercase(text, level):
    assert levels(read(text)) == [level]


@pytest.mark.parametrize("answer,age,note", [
    ("treinta y uno", 31, None), ("trente-deux", 32, None), ("quarenta e cinco", 45, None),
    ("trentaquattro anni", 34, None), ("veintiocho", 28, None), ("nasci em 1991", 35, "born in 1991"),
    ("1993 doğumluyum", 33, "born in 1993"), ("urodziłem się w 1989", 37, "born in 1989"),
    ("četrdeset dve", 42, None), ("сорок два", 42, None), ("otuz iki yaşındayım", 32, None),
])
def test_the_answer_to_the_age_question_in_other_words(answer, age, note):
    from kvisa.profile import answer_profile
    profile = answer_profile(answer, "age", today=dt.date(2026, 12, 1))
    assert (profile.age, profile.age_note) == (age, note)


def test_a_year_beside_another_number_is_not_read_as_a_birth_year():
    from kvisa.profile import answer_profile
    assert answer_profile("2 kids, born 2015 and 2018", "age", today=dt.date(2026, 12, 1)).age is None


@pytest.mark.parametrize("text,route", [
    ("I teach English at a language school in Lima, MA in linguistics", False),
    ("she is a lecturer in history at a big university, BA history", False),
    ("I teach chemistry at a state university, my degree is in education", True),
])
def test_the_second_route_is_teaching_or_research_in_a_stem_field(text, route):
    assert read(text).teaching_or_research is route


def test_an_abbreviation_of_the_degree_name_is_not_an_institution():
    profile = read("I hold a Master in Information Technology (MIT) from a state college in Cebu")
    assert [d.institution for d in profile.degrees] == [UNLISTED]
    assert [d.institution for d in read("my master is from MIT").degrees] == ["Massachusetts Institute of Technology"]


def test_a_degree_in_progress_in_the_next_clause_does_not_make_the_first_one_unfinished():
    profile = read("I have a BA in philosophy from Leipzig, and now I am doing a master in physics")
    assert [(d.level, d.in_progress) for d in profile.degrees] == [("bachelor", False), ("master", True)]


def test_the_answer_named_before_another_degrees_institution_is_the_answer():
    from kvisa.profile import answer_profile
    profile = answer_profile("Seoul National University. my bachelor was at a small college in Busan", "institution")
    assert profile.degrees[0].level == "" and profile.degrees[0].institution == "Seoul National University"


@pytest.mark.parametrize("text,level", [
    ("OND in accountancy", "below_bachelor"), ("only technikum, no university", "below_bachelor"),
    ("an Ausbildung as Mechatroniker", "below_bachelor"), ("TESDA NC II in welding", "below_bachelor"),
    ("specialitet in radiophysics", "master"),
])
def test_more_degree_names(text, level):
    assert levels(read(text)) == [level]


@pytest.mark.parametrize("text,who,age", [
    ("ma fille a 24 ans et un master en chimie de Lyon", "daughter", 24),
    ("anak saya umur 25, lulusan S1 kimia", "child", 25),
    ("writing on behalf of a friend: 31, MSc in geology from Oslo", "friend", 31),
])
def test_someone_elses_profile_in_other_words_and_languages(text, who, age):
    profile = read(text)
    assert (profile.applicant, profile.age) == (who, age)


def test_one_of_my_students_is_a_student_and_my_lecturing_is_not_theirs():
    profile = read("I am a lecturer at the University of Ghana and I ask about the K visa for one of my "
                   "graduate students, she is 25 with an MPhil in physics")
    assert (profile.applicant, profile.teaching_or_research, profile.age) == ("student", False, 25)


@pytest.mark.parametrize("text,level", [
    ("diplomirani inženjer elektrotehnike", UNCLEAR), ("a PGD in renewable energy", "bachelor"),
])
def test_degrees_whose_level_is_read_with_care(text, level):
    assert levels(read(text)) == [level]


@pytest.mark.parametrize("text,expected", [
    ("solo tengo el técnico superior universitario, sin la licenciatura", ["below_bachelor"]),
    ("eu fiz o técnico em informática no ensino médio", ["below_bachelor"]),
])
def test_a_degree_not_held_in_other_languages_is_not_a_degree(text, expected):
    assert levels(read(text)) == expected


def test_field_names_in_korean():
    assert [d.field for d in read("석사 in 전자공학 from KAIST").degrees] == ["Electronic engineering"]


@pytest.mark.parametrize("text,field", [
    ("I hold a Doctor of Philosophy in physics", "Physics"),
    ("Doctor of Philosophy (Ph.D.), awarded in 2023", None),
    ("a Master of Philosophy", None),
    ("PhD in philosophy", "Philosophy and ethics"),
    ("Bachelor of Computer Science", "Computer science"),
])
def test_the_subject_word_in_doctor_of_philosophy_is_not_the_field(text, field):
    """A physics PhD holder was told 'not eligible' for a degree in philosophy."""
    assert [d.field for d in read(text).degrees] == [field]


def test_a_college_affiliated_to_a_listed_university_is_not_that_university():
    profile = read("I did my BE from a private college affiliated to Anna University")
    assert [(d.institution, d.institution_text) for d in profile.degrees] == [(UNLISTED, "a private college")]
    assert [d.institution for d in read("BE from Anna University").degrees] == ["Anna University"]


@pytest.mark.parametrize("text,expected", [
    ("pregrado en agronomía", ["bachelor"]), ("secundaria completa nomas", ["below_bachelor"]),
    ("12th pass with PCM", ["below_bachelor"]), ("BSS and MSS in Economics", ["bachelor", "master"]),
    ("no estudié carrera", ["below_bachelor"]),
])
def test_degree_names_from_latin_america_and_south_asia(text, expected):
    assert levels(read(text)) == expected


@pytest.mark.parametrize("text,age", [("naci en 1983 y tengo maestria", 43), ("nasci em 1990 e sou engenheiro", 36),
                                      ("je suis né en 1992", 34), ("saya lahir tahun 1995", 31)])
def test_born_in_other_languages(text, age):
    assert read(text).age == age


@pytest.mark.parametrize("text,expected", [
    ("soy ingeniero químico de la UNAM", [("bachelor", "Chemical engineering", False)]),
    ("kandidat tehnicheskih nauk in metallurgy", [("doctorate", "Metallurgy", False)]),
    ("Mag. pharm. from Graz", [("master", None, False)]),
    ("doctora en ciencias naturales", [("doctorate", "Natural sciences (combined)", False)]),
    ("im final yr btech", [("bachelor", None, True)]),
    ("I teach but I never did the PhD", []),
])
def test_titles_and_years_of_study_in_many_countries(text, expected):
    assert [(d.level, d.field, d.in_progress) for d in read(text).degrees] == expected


@pytest.mark.parametrize("text,institutions", [
    ("my younger bro is 21 doing final yr bsc physics at dhaka uni", ["University of Dhaka"]),
    ("I teach computer science at Monash, but my only degree is a bachelor's in economics", [None]),
    ("I'm a researcher at RIKEN and don't hold a PhD", []),
    ("termine la lic. en ingenieria en software en linea, sirve eso para algo?", [None]),  # "eso" is not ESO
])
def test_institutions_named_short_at_work_or_not_at_all(text, institutions):
    assert [d.institution for d in read(text).degrees] == institutions


@pytest.mark.parametrize("text,expected", [
    ("quick one: BSc from LSE, currently doing an MSc at Imperial", [("bachelor", False), ("master", True)]),
    ("BEng, he graduates next june", [("bachelor", True)]),
    ("Mgr. (právo)", [("master", False)]), ("Bc. in computer science", [("bachelor", False)]),
    ("diplôme d'architecte (bac+6)", [("master", False)]), ("DEC technique", [("below_bachelor", False)]),
    ("licenta in inginerie mecanica", [("bachelor", False)]), ("because bc my english is bad", []),
])
def test_degrees_from_central_europe_france_and_quebec(text, expected):
    assert [(d.level, d.in_progress) for d in read(text).degrees] == expected


def test_a_researcher_in_french_is_the_research_route_and_her_lab_is_not_her_degrees():
    profile = read("Je suis chercheuse à l'Inria Paris, master en linguistique")
    assert profile.teaching_or_research is True
    assert [d.institution for d in profile.degrees] == [None]


@pytest.mark.parametrize("text,expected", [
    ("I just finish ptychio in physics and want to try China", [("bachelor", False)]),  # "finish | in physics"
    ("I finish my bachelor next year", [("bachelor", True)]),
])
def test_finished_or_not_is_read_on_each_side_of_the_degree(text, expected):
    assert [(d.level, d.in_progress) for d in read(text).degrees] == expected


def test_a_country_after_from_is_not_an_institution_even_run_into_the_next_sentence():
    profile = read("Greek civil engineer here, PhD from Switzerland. Wondering if the K visa is for me")
    assert [d.institution for d in profile.degrees] == [None]
    assert [d.institution for d in read("a BSc from Kenya Methodist University").degrees] == [UNLISTED]


@pytest.mark.parametrize("text,expected", [
    ("J'ai une licence d'éco et un master en statistiques", ["bachelor", "master"]),
    ("I have Bc. and Ing. from VUT Brno", ["bachelor", "master"]),
    ("I am not having PhD but working as assistant professor", []),
    ("33, doktorat z biologii molekularnej", ["doctorate"]),
    ("a Licence in physics, then a Master in management: which diploma counts?", ["bachelor", "master"]),
    ("titulaire d'un graduat en électromécanique", [UNCLEAR]),
    ("I have a driving licence and a BSc", ["bachelor"]),
])
def test_more_degree_names_and_the_word_diploma_as_a_document(text, expected):
    assert levels(read(text)) == expected


@pytest.mark.parametrize("text,field", [
    ("BE civil from IOE Pulchowk", "Civil engineering"), ("BE electrical from NUST", "Electrical engineering"),
    ("PhD kémiából, Szegedi Tudományegyetem", "Chemistry"),
    ("doktorat z biologii molekularnej", "Biochemistry and molecular biology"),
])
def test_short_and_foreign_field_names_right_after_a_degree(text, field):
    assert [d.field for d in read(text).degrees] == [field]


def test_a_university_town_in_a_cv_style_list():
    profile = read("42, BSc (Hons) Physics, Imperial (2005); PhD Astrophysics, Durham (2009)")
    assert [d.institution for d in profile.degrees] == ["Imperial College London", "Durham University"]
