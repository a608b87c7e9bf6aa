"""Raw material for the demo: names of many origins, places, bios. Fictional people only."""

from __future__ import annotations

# origin -> (language codes spoken at home, first names, family names)
ORIGINS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "british": (
        ["en"],
        ["Margaret", "George", "Olivia", "Harry", "Emily", "Jack", "Susan", "Peter", "Chloe"],
        ["Smith", "Taylor", "Brown", "Wilson", "Evans", "Hughes", "Walker", "Wright", "Green"],
    ),
    "irish_scottish": (
        ["en"],
        ["Siobhan", "Declan", "Niamh", "Callum", "Fiona", "Ciaran", "Isla", "Ewan"],
        ["Murphy", "O'Brien", "MacDonald", "Byrne", "Campbell", "Doyle", "Fraser"],
    ),
    "caribbean": (
        ["en"],
        ["Marcia", "Delroy", "Winston", "Claudette", "Beverley", "Errol", "Janelle"],
        ["Thompson", "Grant", "Bailey", "Morgan", "Clarke", "Francis", "Samuels"],
    ),
    "west_african": (
        ["en"],
        ["Chinedu", "Amara", "Oluwaseun", "Ngozi", "Tunde", "Adaeze", "Kwame", "Efua"],
        ["Okafor", "Adeyemi", "Eze", "Balogun", "Mensah", "Owusu", "Nwosu"],
    ),
    "spanish": (
        ["es"],
        ["Lucía", "Carmen", "Javier", "Mateo", "Sofía", "Diego", "Valentina", "Alejandro"],
        ["García", "Fernández", "López", "Martínez", "Rodríguez", "Torres", "Ramírez"],
    ),
    "polish": (
        ["pl"],
        ["Agnieszka", "Katarzyna", "Piotr", "Tomasz", "Zofia", "Jakub", "Marta", "Paweł"],
        ["Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając", "Wróbel"],
    ),
    "pakistani": (
        ["ur"],
        ["Ayesha", "Imran", "Fatima", "Bilal", "Zainab", "Hamza", "Sana", "Tariq"],
        ["Khan", "Hussain", "Ahmed", "Malik", "Qureshi", "Chaudhry", "Iqbal"],
    ),
    "arab": (
        ["ar"],
        ["Layla", "Omar", "Yousef", "Mariam", "Khaled", "Nour", "Samir", "Rania"],
        ["Haddad", "Mansour", "Nasser", "Saleh", "Khalil", "Darwish", "Aziz"],
    ),
    "portuguese": (
        ["pt"],
        ["João", "Ana", "Beatriz", "Rafael", "Gabriela", "Tiago", "Inês", "Lucas"],
        ["Silva", "Santos", "Oliveira", "Costa", "Pereira", "Ferreira", "Almeida"],
    ),
    "romanian": (
        ["ro"],
        ["Andrei", "Ioana", "Mihai", "Elena", "Cristina", "Radu", "Bogdan", "Alina"],
        ["Popescu", "Ionescu", "Dumitru", "Stan", "Constantin", "Marin", "Georgescu"],
    ),
    "somali": (
        ["so"],
        ["Hodan", "Abdi", "Fadumo", "Mohamed", "Ifrah", "Yusuf", "Amina"],
        ["Warsame", "Farah", "Jama", "Hassan", "Ali", "Osman"],
    ),
    "bangladeshi": (
        ["bn"],
        ["Rahima", "Arif", "Nasrin", "Tanvir", "Shirin", "Kamal", "Farzana"],
        ["Rahman", "Begum", "Islam", "Uddin", "Hossain", "Miah"],
    ),
    "ukrainian": (
        ["uk", "ru"],
        ["Oksana", "Dmytro", "Iryna", "Taras", "Olena", "Serhiy", "Natalia"],
        ["Shevchenko", "Bondarenko", "Kovalenko", "Melnyk", "Tkachenko", "Kravets"],
    ),
    "chinese": (
        ["zh"],
        ["Wei", "Mei", "Jun", "Xiu", "Lin", "Hao", "Yan"],
        ["Chen", "Wang", "Li", "Zhang", "Liu", "Huang"],
    ),
    "south_indian": (
        ["ta", "hi"],
        ["Priya", "Arjun", "Lakshmi", "Ravi", "Deepa", "Suresh", "Anjali"],
        ["Patel", "Sharma", "Krishnan", "Iyer", "Nair", "Reddy"],
    ),
    "turkish": (
        ["tr"],
        ["Elif", "Mehmet", "Zeynep", "Emre", "Ayşe", "Murat", "Selin"],
        ["Yılmaz", "Demir", "Kaya", "Şahin", "Çelik", "Aydın"],  # noqa: RUF001 (Turkish dotless i)
    ),
}
# Riverside is an English town with neighbours from everywhere; roughly half grew up here.
ORIGIN_WEIGHTS = {
    "british": 30,
    "irish_scottish": 6,
    "caribbean": 6,
    "west_african": 6,
    "spanish": 5,
    "polish": 7,
    "pakistani": 7,
    "arab": 4,
    "portuguese": 4,
    "romanian": 5,
    "somali": 3,
    "bangladeshi": 4,
    "ukrainian": 4,
    "chinese": 3,
    "south_indian": 4,
    "turkish": 2,
}

# A fictional town on a real river: centre near Reading, UK. (slug, name, lat, lon, weight)
TOWN = ("riverside", "Riverside", 51.4543, -0.9781)
NEIGHBOURHOODS = [
    ("old-town", "Old Town", 51.4555, -0.9712, 5),
    ("northbank", "Northbank", 51.4672, -0.9740, 4),
    ("mill-quarter", "Mill Quarter", 51.4478, -0.9688, 4),
    ("eastfield", "Eastfield", 51.4420, -0.9330, 3),
    ("southgate", "Southgate", 51.4305, -0.9685, 3),
    ("westmead", "Westmead", 51.4580, -1.0320, 3),
]
HILLSIDE = ("hillside", "Hillside", 51.4990, -0.9420)
HILLSIDE_AREAS = [
    ("upper-hill", "Upper Hill", 51.5030, -0.9460),
    ("church-end", "Church End", 51.4960, -0.9380),
]

STREETS = [
    "Mill Lane",
    "Orchard Road",
    "Kingfisher Close",
    "Weir Street",
    "Station Road",
    "Chapel Row",
    "Meadow Way",
    "Ferry Lane",
    "Willow Crescent",
    "Brook Street",
    "Tannery Yard",
    "Lock Keepers Walk",
]

OPENERS = [
    "Retired and around most days.",
    "I work from home, so my hours are flexible.",
    "Two children and busy mornings, but free most evenings.",
    "Student at the college.",
    "Night shifts at the hospital; free in the afternoons.",
    "Moved here last year and keen to meet neighbours.",
    "Lived on the same street for thirty years.",
    "Bus driver, weekends off.",
    "Grandparent of four.",
    "I run the corner café.",
    "Part-time at the library.",
    "",
]
CLOSERS = [
    "Happy to help with {skill}.",
    "Ask me about {skill}.",
    "I enjoy {skill}.",
    "Glad to lend a hand with {skill}.",
]
FREE_TAGS = ["knitting", "chess", "guitar", "sign language", "sewing", "first aid course", "quiz"]

ACCESS_NOTES = [
    "Key safe by the back door; the code is given by phone.",
    "Please ring twice and wait, I am slow on the stairs.",
    "Ground-floor flat, side entrance by the bins.",
    "My neighbour at number 12 keeps a spare key.",
]
HEALTH_NOTES = [
    "Hard of hearing: please knock loudly.",
    "Uses a walking frame indoors.",
    "Diabetic: keeps insulin in the fridge.",
]

APPLICATION_QUESTIONS = [
    "What brings you to Riverside Mutual Aid?",
    "Which part of town do you live in, roughly?",
]
APPLICATION_ANSWERS = [
    ("My neighbour told me about it and I would like to help with shopping.", "Old Town"),
    ("I have just moved here with my family and want to get to know people.", "Eastfield"),
    ("I am retired and have time to give, and a car.", "Northbank"),
    ("I need a bit of help since my operation, and I can help with paperwork.", "Southgate"),
    ("I speak three languages and could interpret at appointments.", "Mill Quarter"),
    ("Our tenants' association wants to join in.", "Westmead"),
]
